import type { LeaseRecord, PublishedRecord, ReceiverRecord } from './records.js';

export type ViolationKind =
  'lost' | 'double-apply' | 'stale-accepted' | 'unleased-epoch' | 'two-holders' | 'state' | 'lease-gap';

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

export interface CheckReport {
  counts: {
    published: number;
    applied: number;
    fences: number;
    staleRejected: number;
    duplicatesDropped: number;
    leaseRevisions: number;
    acquisitions: number;
    workloads: number;
  };
  violations: Violation[];
}

/**
 * The chaos checker's judgement (issue "Actor runtime", Must be true): no acknowledged
 * message lost, no effect applied twice, no effect accepted under a stale epoch, and never
 * two live holders of a partition. Each check is recomputed from the logs alone.
 */
export function checkLogs(input: {
  published: PublishedRecord[];
  receiver: ReceiverRecord[];
  leases: LeaseRecord[];
}): CheckReport {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, detail: string): void => {
    violations.push({ kind, detail });
  };
  const receiver = [...input.receiver].sort((a, b) => a.seq - b.seq);
  const applies = receiver.filter((r): r is Extract<ReceiverRecord, { k: 'apply' }> => r.k === 'apply');

  // effects applied at most once
  const appliedIds = new Map<string, number>();
  for (const a of applies) appliedIds.set(a.id, (appliedIds.get(a.id) ?? 0) + 1);
  for (const [id, n] of appliedIds) if (n > 1) add('double-apply', `effect ${id} applied ${n} times`);

  // every acknowledged message reached an applied effect
  const appliedMsgs = new Set(applies.map((a) => a.msg));
  for (const p of input.published)
    if (!appliedMsgs.has(p.id)) add('lost', `message ${p.id} (${p.w}) acked but never applied`);

  // replay the stream: an applied effect's epoch is never below the partition's mark
  const mark = new Map<number, number>();
  for (const r of receiver) {
    if (r.k === 'fence' || r.k === 'apply') {
      const m = mark.get(r.p) ?? 0;
      if (r.k === 'apply' && r.e < m) {
        add(
          'stale-accepted',
          `effect ${r.id} at seq ${r.seq} applied under epoch ${r.e} of partition ${r.p}, mark ${m}`
        );
      }
      if (r.e > m) mark.set(r.p, r.e);
    }
  }

  // the lease history: every epoch change is a takeover after the previous deadline
  const byKey = new Map<string, LeaseRecord[]>();
  const startRev = input.leases.find((r) => r.op === 'start')?.rev ?? 0;
  const revs = input.leases.filter((r) => r.op !== 'start').sort((a, b) => a.rev - b.rev);
  let prevRev = startRev;
  for (const r of revs) {
    if (r.rev <= startRev) continue;
    if (r.rev - prevRev > 1)
      add('lease-gap', `lease revisions ${prevRev + 1}..${r.rev - 1} were not seen: history incomplete`);
    prevRev = r.rev;
  }
  for (const r of revs) {
    if (!r.key.startsWith('part.')) continue;
    const list = byKey.get(r.key) ?? [];
    list.push(r);
    byKey.set(r.key, list);
  }
  const leased = new Set<string>();
  let acquisitions = 0;
  for (const [key, list] of byKey) {
    let prev: LeaseRecord | undefined;
    for (const cur of list) {
      if (cur.op === 'del' || !cur.holder) {
        prev = cur.op === 'del' ? undefined : cur;
        continue;
      }
      const taken = !prev || prev.epoch !== cur.epoch;
      if (taken) {
        acquisitions++;
        leased.add(`${key.slice('part.'.length)}/${cur.epoch}/${cur.holder}`);
        if (prev?.holder && (cur.acquiredAt ?? 0) < (prev.deadline ?? 0)) {
          add(
            'two-holders',
            `${key}: ${cur.holder} took epoch ${cur.epoch} at ${cur.acquiredAt} while ${prev.holder} held epoch ${prev.epoch} until ${prev.deadline}`
          );
        }
      } else if (prev && prev.holder !== cur.holder) {
        add(
          'two-holders',
          `${key}: epoch ${cur.epoch} passed from ${prev.holder} to ${cur.holder} without a new epoch`
        );
      }
      prev = cur;
    }
  }
  if (input.leases.length) {
    for (const a of applies) {
      if (!leased.has(`${a.p}/${a.e}/${a.src}`)) {
        add(
          'unleased-epoch',
          `effect ${a.id} claims epoch ${a.e} of partition ${a.p} for ${a.src}, never leased to it`
        );
      }
    }
  }

  // actor state moved exactly once per applied message: counts run 1..n per workload
  const counts = new Map<string, number[]>();
  for (const a of applies) {
    const l = counts.get(a.w) ?? [];
    l.push(a.count);
    counts.set(a.w, l);
  }
  for (const [w, l] of counts) {
    l.sort((x, y) => x - y);
    const bad = l.findIndex((c, i) => c !== i + 1);
    if (bad >= 0)
      add(
        'state',
        `${w}: applied counts ${l.slice(Math.max(0, bad - 1), bad + 2).join(',')} at position ${bad + 1} (expected ${bad + 1})`
      );
  }

  return {
    counts: {
      published: input.published.length,
      applied: applies.length,
      fences: receiver.filter((r) => r.k === 'fence').length,
      staleRejected: receiver.filter((r) => r.k === 'stale').length,
      duplicatesDropped: receiver.filter((r) => r.k === 'dup').length,
      leaseRevisions: revs.length,
      acquisitions,
      workloads: counts.size,
    },
    violations,
  };
}
