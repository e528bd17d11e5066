import { describe, expect, it } from 'vitest';
import { decisionV1, decisionV2 } from '../../schemas/index.js';
import { Arbiter, type Effect } from '../priority/index.js';
import { T0, proposal, workload } from '../priority/proposal-fixtures.js';
import { decisionV2Of } from './effect-sink.js';

const WINDOW_MS = 30_000; // the arbiter's default window

const decisions = (fx: readonly Effect[]) =>
  fx.filter((e): e is Extract<Effect, { type: 'decision' }> => e.type === 'decision');

describe('decision.v2: what decision.v1 cannot carry', () => {
  it('a scale-up won on spot capacity (seed 000 §19.2 scenario 1) says so in the body', () => {
    const a = new Arbiter();
    a.setWorkload(workload({ constraints: { spot_allowed: true } }));
    a.submit(
      proposal('v2-slo-up-1', { priority_class: 'slo', action: { kind: 'scale_replicas', from: 10, to: 12 } }),
      T0
    );
    a.submit(
      proposal('v2-cost-dn-1', { priority_class: 'cost', action: { kind: 'scale_replicas', from: 10, to: 9 } }),
      T0
    );
    const [d] = decisions(a.advance(T0 + WINDOW_MS)).filter((e) => e.execute);
    expect(d?.capacity).toBe('spot');
    // v1 has no field for it: parsing drops it
    expect(decisionV1.data.parse({ ...d!.decision, capacity: 'spot' })).not.toHaveProperty('capacity');
    const v2 = decisionV2.data.parse(decisionV2Of(d!));
    expect(v2).toMatchObject({ proposal_id: 'v2-slo-up-1', execute: true, capacity: { purchase_option: 'spot' } });
    expect(v2.capacity?.why).toMatch(/spot/);
  });

  it('a change to many replicas carries its 10% → 50% → 100% rollout steps', () => {
    const a = new Arbiter();
    a.setWorkload(workload({ replicas: 20 }));
    // an instance-type change on 20 replicas touches all 20 ≥ rollout.minReplicas (4): steps of 2, 10 and 20
    a.submit(
      proposal('v2-roll-01', {
        priority_class: 'slo',
        action: { kind: 'change_instance_type', from: 'g5.xlarge', to: 'g6.xlarge' },
      }),
      T0
    );
    const [d] = decisions(a.advance(T0 + WINDOW_MS)).filter((e) => e.execute);
    const v2 = decisionV2.data.parse(decisionV2Of(d!));
    expect(v2.rollout?.steps.map((s) => s.share)).toEqual([0.1, 0.5, 1]);
    expect(v2.rollout).toMatchObject({ total_replicas: 20, current: 0, status: 'running' });
  });

  it('pre-empting an executing action says to roll it back', () => {
    const a = new Arbiter();
    a.setWorkload(workload());
    a.submit(
      proposal('v2-cost-run', { priority_class: 'cost', action: { kind: 'scale_replicas', from: 10, to: 9 } }),
      T0
    );
    a.advance(T0 + WINDOW_MS);
    a.submit(
      proposal('v2-op-pin-1', { priority_class: 'operator', action: { kind: 'scale_replicas', from: 10, to: 12 } }),
      T0 + 60_000
    );
    const pre = decisions(a.advance(T0 + 60_000 + WINDOW_MS)).find((e) => e.decision.verdict === 'preempted');
    const v2 = decisionV2.data.parse(decisionV2Of(pre!));
    expect(v2).toMatchObject({
      proposal_id: 'v2-cost-run',
      preempted_by: 'v2-op-pin-1',
      undo: 'rollback',
      execute: false,
    });
  });

  it('a decision v1 carries completely stays v1', () => {
    const a = new Arbiter();
    a.setWorkload(workload({ mode: 'advisory' }));
    a.submit(
      proposal('v2-plain-1', { priority_class: 'slo', action: { kind: 'set_routing', policy: 'kv_aware' } }),
      T0
    );
    const [d] = decisions(a.advance(T0 + WINDOW_MS));
    expect(d?.decision.verdict).toBe('pending_approval');
    expect(decisionV2Of(d!)).toBeUndefined();
  });
});
