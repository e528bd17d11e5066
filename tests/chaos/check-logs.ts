import type {
  ActionSentRecord,
  EventRecord,
  LeaseRecord,
  ProposalSentRecord,
  PublishedRecord,
  ReceiverRecord,
  StoredTelemetry,
} from './records.js';

export type ViolationKind =
  | 'lost'
  | 'double-apply'
  | 'stale-accepted'
  | 'unleased-epoch'
  | 'two-holders'
  | 'state'
  | 'lease-gap'
  | 'action-lost'
  | 'action-twice'
  | 'action-stale'
  | 'telemetry-missing'
  | 'telemetry-duplicate'
  | 'proposal-unresolved';

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
    actions: number;
    actionResults: number;
    proposals: number;
    outcomes: number;
    storedRows: number;
  };
  violations: Violation[];
}

export interface CheckInput {
  published: PublishedRecord[];
  receiver: ReceiverRecord[];
  leases: LeaseRecord[];
  actions?: ActionSentRecord[];
  proposals?: ProposalSentRecord[];
  events?: EventRecord[];
  /** Absent: ClickHouse is not judged. */
  stored?: StoredTelemetry;
  /**
   * Wall ms: only what was acknowledged before it must have arrived (the check after one fault,
   * while later traffic is still in flight). Safety (twice, stale) is judged on everything.
   */
  before?: number;
}

/**
 * The chaos checker's judgement (issue "Actor runtime", Must be true): no acknowledged
 * message lost, no effect applied twice, no effect accepted under a stale epoch, and never
 * two live holders of a partition. Each check is recomputed from the logs alone.
 */
export function checkLogs(input: CheckInput): CheckReport {
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
  const due = (t: number | undefined): boolean => input.before === undefined || (t ?? 0) < input.before;
  const appliedMsgs = new Set(applies.map((a) => a.msg));
  for (const p of input.published)
    if (due(p.t) && !appliedMsgs.has(p.id)) add('lost', `message ${p.id} (${p.w}) acked but never applied`);

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

  const ext = checkEdgesAndStores(input, due, add);

  return {
    counts: {
      ...ext,
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

/**
 * The other process kinds: every action on OI_ACT ends in a result or a duplicate notice, no
 * decision succeeds twice, none succeeds under an epoch below one the edge had already
 * accepted, every proposal gets an outcome, and ClickHouse holds each published telemetry
 * message exactly once (raw count() equal to the published count).
 */
function checkEdgesAndStores(
  input: CheckInput,
  due: (t: number | undefined) => boolean,
  add: (kind: ViolationKind, detail: string) => void
): { actions: number; actionResults: number; proposals: number; outcomes: number; storedRows: number } {
  const events = [...(input.events ?? [])].sort((a, b) => a.seq - b.seq);
  const results = events.filter((e): e is Extract<EventRecord, { k: 'result' }> => e.k === 'result');
  const answered = new Set(events.flatMap((e) => (e.k === 'outcome' ? [] : [e.action])));
  const actions = [...(input.actions ?? [])].sort((a, b) => a.seq - b.seq);
  for (const a of actions) {
    if (due(a.t) && !answered.has(a.action))
      add('action-lost', `action ${a.action} (decision ${a.decision}) on OI_ACT seq ${a.seq} has no result`);
  }
  const succeeded = new Map<string, number>();
  const ok = new Set<string>();
  for (const r of results) {
    if (r.status !== 'succeeded') continue;
    ok.add(r.action);
    succeeded.set(r.decision, (succeeded.get(r.decision) ?? 0) + 1);
  }
  for (const [d, n] of succeeded) if (n > 1) add('action-twice', `decision ${d} executed ${n} times`);
  // in OI_ACT order (the edge runs one at a time): an epoch below one that already ran is stale
  let mark = 0;
  for (const a of actions) {
    if (ok.has(a.action) && a.epoch < mark)
      add('action-stale', `action ${a.action} ran under epoch ${a.epoch} after epoch ${mark} had run`);
    if (ok.has(a.action)) mark = Math.max(mark, a.epoch);
    if (a.stale && ok.has(a.action)) add('action-stale', `action ${a.action} sent under a stale epoch ${a.epoch} ran`);
  }
  const resolved = new Set(events.flatMap((e) => (e.k === 'outcome' ? [e.proposal] : [])));
  for (const p of input.proposals ?? [])
    if (due(p.t) && !resolved.has(p.id)) add('proposal-unresolved', `proposal ${p.id} (${p.w}) has no outcome`);
  if (input.stored) {
    const { byId } = input.stored;
    const published = new Set(input.published.map((p) => p.id));
    for (const p of input.published)
      if (due(p.t) && !byId.has(p.id)) add('telemetry-missing', `message ${p.id} (${p.w}) acked, not in ClickHouse`);
    for (const [id, n] of byId) {
      if (n > 1) add('telemetry-duplicate', `message ${id} stored ${n} times in ClickHouse`);
      // mid-run an ack may still be on its way; only the final check knows every ack
      else if (input.before === undefined && !published.has(id))
        add('telemetry-duplicate', `ClickHouse holds ${id}, never acknowledged to the publisher`);
    }
    if (input.before === undefined && input.stored.rows !== input.published.length)
      add('telemetry-missing', `ClickHouse count() ${input.stored.rows}, published ${input.published.length}`);
  }
  return {
    actions: actions.length,
    actionResults: results.length,
    proposals: input.proposals?.length ?? 0,
    outcomes: resolved.size,
    storedRows: input.stored?.rows ?? 0,
  };
}
