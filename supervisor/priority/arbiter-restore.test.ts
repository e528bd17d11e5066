import { describe, expect, it } from 'vitest';
import { Arbiter } from './arbiter.js';
import type { Effect } from './effects.js';
import { T0, proposal, workload } from './proposal-fixtures.js';

const WINDOW_MS = 30_000; // the arbiter's default window
const MIN = 60_000;

/** Effects without what differs between two arbiters by construction (ids, audit sequence, epoch). */
function comparable(effects: readonly Effect[]): unknown[] {
  return JSON.parse(
    JSON.stringify(effects, (k, v: unknown) => (k === 'decision_id' || k === 'seq' || k === 'decisionId' ? '-' : v))
  ) as unknown[];
}

function fleet(a: Arbiter): void {
  a.setWorkload(workload({ workload: 'wl-adv', mode: 'advisory' }));
  a.setWorkload(workload({ workload: 'wl-auto', mode: 'auto' }));
  a.setWorkload(workload({ workload: 'wl-open', mode: 'advisory' }));
}

describe('Arbiter memoryOf / restore (leader failover)', () => {
  it('a restored arbiter carries on exactly as the one it replaces: approvals, locks, windows, caps', () => {
    const cfg = { config: { windowMs: WINDOW_MS, lockTtlMs: 10 * MIN, approvalTtlMs: 20 * MIN } };
    const old = new Arbiter({ ...cfg, guardrails: undefined });
    fleet(old);
    const up = { kind: 'scale_replicas', from: 10, to: 11 } as const;
    const pend = proposal('rs-pend-1', { workload: 'wl-adv', priority_class: 'slo', action: up });
    const run = proposal('rs-run-01', { workload: 'wl-auto', priority_class: 'slo', action: up });
    const open = proposal('rs-open-1', { workload: 'wl-open', priority_class: 'cost', action: up });
    old.submit(pend, T0);
    old.submit(run, T0);
    old.advance(T0 + WINDOW_MS);
    old.submit(open, T0 + WINDOW_MS + 1_000);
    expect(old.fateOf('rs-pend-1')).toBe('pending');
    expect(old.fateOf('rs-run-01')).toBe('decided');

    const next = new Arbiter(cfg);
    fleet(next);
    next.restore(['rs-pend-1', 'rs-run-01', 'rs-open-1'].map((id) => old.memoryOf(id)!));
    expect(next.locks()).toEqual(old.locks());
    expect(next.locks().map((l) => `${l.workload}/${l.resource}:${l.proposalId}`)).toEqual([
      'wl-adv/replicas:rs-pend-1',
      'wl-auto/replicas:rs-run-01',
    ]);
    expect(next.guardrails.state('wl-auto', T0 + WINDOW_MS)).toEqual(old.guardrails.state('wl-auto', T0 + WINDOW_MS));
    expect(next.guardrails.state('wl-auto', T0 + WINDOW_MS).workloadActionsLastHour).toBe(1);

    // the same inputs from here on: the same effects from both
    const blocked = proposal('rs-cost-1', {
      workload: 'wl-auto',
      priority_class: 'cost',
      action: { kind: 'scale_replicas', from: 10, to: 9 },
    });
    const script: ((a: Arbiter) => Effect[])[] = [
      (a) => a.advance(T0 + 2 * WINDOW_MS + 1_000), // the open window closes
      (a) => a.approve('rs-pend-1', 'nats:op-alice', T0 + 3 * MIN),
      (a) => a.submit(blocked, T0 + 4 * MIN),
      (a) => a.advance(T0 + 5 * MIN), // the lock of r-run still holds
      (a) => a.advance(T0 + 30 * MIN), // every lock past its TTL
    ];
    for (const step of script) expect(comparable(step(next))).toEqual(comparable(step(old)));
    expect(next.fateOf('rs-cost-1')).toBe('rejected');
    expect(() => next.approve('rs-pend-1', 'nats:op-bob', T0 + 31 * MIN)).toThrow(/already decided/);
    expect(next.locks()).toEqual([]);
  });

  it('restoring twice, or a proposal already known, changes nothing', () => {
    const a = new Arbiter();
    a.setWorkload(workload({ mode: 'advisory' }));
    const p = proposal('rs-twice-1', { priority_class: 'slo', action: { kind: 'scale_replicas', from: 10, to: 11 } });
    a.submit(p, T0);
    a.advance(T0 + WINDOW_MS);
    const m = a.memoryOf('rs-twice-1')!;
    const b = new Arbiter();
    b.setWorkload(workload({ mode: 'advisory' }));
    b.restore([m, m]);
    b.restore([m]);
    expect(b.locks()).toHaveLength(1);
    expect(b.submit(p, T0 + WINDOW_MS + 1)).toEqual([]); // a redelivery is ignored
    expect(a.memoryOf('nope')).toBeUndefined();
  });
});
