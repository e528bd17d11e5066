import { describe, expect, it } from 'vitest';
import { Guardrails } from '../guardrails/index.js';
import { isApprovalError } from './approval-error.js';
import { Arbiter } from './arbiter.js';
import type { Effect } from './effects.js';
import { T0, decisionsOf, fatesOf, proposal, workload } from './proposal-fixtures.js';

const MIN = 60_000;
const up = (id: string, to = 12) =>
  proposal(id, { priority_class: 'slo', action: { kind: 'scale_replicas', from: 10, to }, usd: 1_000, slo: 0.02 });
const down = (id: string) =>
  proposal(id, { priority_class: 'cost', action: { kind: 'scale_replicas', from: 10, to: 9 }, usd: -2_000 });

function arbiter(mode: 'advisory' | 'semi' | 'auto' | 'shadow' = 'auto', config = {}): Arbiter {
  const a = new Arbiter({ config });
  a.setWorkload(workload({ mode }));
  return a;
}

const locksOf = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'lock' ? [`${e.op} ${e.lock.resource} ${e.lock.proposalId}`] : []));

describe('priority Arbiter', () => {
  it('holds proposals until the arbitration window closes, on event time', () => {
    const a = arbiter('auto', { windowMs: 30_000 });
    expect(a.submit(down('p-arb-0001'), T0)).toEqual([]);
    expect(a.advance(T0 + 29_999)).toEqual([]);
    expect(a.fateOf('p-arb-0001')).toBe('pending');
    const effects = a.advance(T0 + 30_000);
    expect(fatesOf(effects)).toEqual({ 'p-arb-0001': 'decided' });
    expect(locksOf(effects)).toEqual(['acquired replicas p-arb-0001']);
  });

  it('ignores a redelivered proposal and never moves time backwards', () => {
    const a = arbiter();
    a.submit(down('p-arb-0002'), T0);
    expect(a.submit(down('p-arb-0002'), T0 + 1_000)).toEqual([]);
    a.advance(T0 + 5_000);
    a.advance(T0);
    expect(a.nowMs).toBe(T0 + 5_000);
  });

  it('rejects a proposal for a workload it does not know, and expires stale ones', () => {
    const a = arbiter();
    const stray = proposal('p-arb-0003', { workload: 'wl-9', action: { kind: 'set_routing', policy: 'kv_aware' } });
    expect(fatesOf(a.submit(stray, T0))).toEqual({ 'p-arb-0003': 'rejected' });
    const old = { ...down('p-arb-0004'), expires_at: new Date(T0 + 10_000).toISOString() };
    a.submit(old, T0);
    expect(fatesOf(a.advance(T0 + 60_000))).toEqual({ 'p-arb-0004': 'expired' });
  });

  it('lets a higher class pre-empt an executing lower one, which is rolled back', () => {
    const a = arbiter('auto');
    a.submit(down('p-arb-0005'), T0);
    a.advance(T0 + MIN);
    expect(a.locks().map((l) => l.proposalId)).toEqual(['p-arb-0005']);
    const effects = a.submit(up('p-arb-0006'), T0 + 2 * MIN);
    effects.push(...a.advance(T0 + 3 * MIN));
    expect(effects.find((e) => e.type === 'preempt')).toMatchObject({
      proposalId: 'p-arb-0005',
      by: 'p-arb-0006',
      undo: 'rollback',
    });
    const verdicts = decisionsOf(effects).map((d) => [
      d.decision.proposal_id,
      d.decision.verdict,
      d.decision.preempted_by,
    ]);
    expect(verdicts).toEqual([
      ['p-arb-0005', 'preempted', 'p-arb-0006'],
      ['p-arb-0006', 'approved', undefined],
    ]);
    expect(locksOf(effects)).toEqual(['released replicas p-arb-0005', 'acquired replicas p-arb-0006']);
    expect(a.fateOf('p-arb-0005')).toBe('superseded');
  });

  it('cancels a pending lower one when a higher class arrives', () => {
    const a = arbiter('advisory');
    a.submit(down('p-arb-0007'), T0);
    a.advance(T0 + MIN);
    a.submit(up('p-arb-0008'), T0 + 2 * MIN);
    const effects = a.advance(T0 + 3 * MIN);
    expect(effects.find((e) => e.type === 'preempt')).toMatchObject({ proposalId: 'p-arb-0007', undo: 'cancel' });
  });

  it('refuses an equal or lower class while the lock is held, naming the holder', () => {
    const a = arbiter('auto');
    // window closes at T0 + 30 s; the lock lasts max(15 min TTL, 5 min verify window)
    a.submit(up('p-arb-0009'), T0);
    a.advance(T0 + MIN);
    a.submit(down('p-arb-0010'), T0 + 2 * MIN);
    const effects = a.advance(T0 + 3 * MIN);
    expect(fatesOf(effects)).toEqual({ 'p-arb-0010': 'rejected' });
    const d = decisionsOf(effects)[0];
    expect(d?.decision.reason).toMatch(/replicas is locked by p-arb-0009 until 2026-11-24T12:15:30.000Z/);
  });

  it('supersedes a proposal that repeats the in-flight action', () => {
    const a = arbiter('auto');
    a.submit(up('p-arb-0011'), T0);
    a.advance(T0 + MIN);
    a.submit(up('p-arb-0012'), T0 + 2 * MIN);
    expect(fatesOf(a.advance(T0 + 3 * MIN))).toEqual({ 'p-arb-0012': 'superseded' });
  });

  it('releases the lock on completion or when its TTL passes', () => {
    const a = arbiter('auto', { lockTtlMs: 10 * MIN });
    a.submit(up('p-arb-0013'), T0);
    a.advance(T0 + MIN);
    expect(locksOf(a.complete('p-arb-0013', 'verified', T0 + 2 * MIN))).toEqual(['released replicas p-arb-0013']);
    expect(a.complete('p-arb-0013', 'verified', T0 + 3 * MIN)).toEqual([]);
    a.submit(up('p-arb-0014', 14), T0 + 4 * MIN);
    a.advance(T0 + 5 * MIN);
    // locked at T0+4.5 min for max(10 min, verify window 5 min)
    expect(locksOf(a.advance(T0 + 14.49 * MIN))).toEqual([]);
    expect(locksOf(a.advance(T0 + 14.5 * MIN))).toEqual(['released replicas p-arb-0014']);
  });

  it('refuses approvals of unknown, still-arbitrated, expired and decided proposals with typed errors', () => {
    const a = arbiter('advisory', { approvalTtlMs: 10 * MIN });
    expect(() => a.approve('p-arb-none', 'alice', T0)).toThrow(/no such proposal/);
    a.submit(down('p-arb-0015'), T0);
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isApprovalError(err) ? `${err.refusal} ${err.code}` : 'other';
      }
      return 'none';
    };
    expect(refusal(() => a.approve('p-arb-0015', 'alice', T0 + 1_000))).toBe('not_pending OI_CONFLICT');
    a.advance(T0 + MIN);
    expect(a.fateOf('p-arb-0015')).toBe('pending');
    const expired = a.advance(T0 + 11 * MIN);
    expect(fatesOf(expired)).toEqual({ 'p-arb-0015': 'expired' });
    expect(locksOf(expired)).toEqual(['released replicas p-arb-0015']);
    expect(refusal(() => a.approve('p-arb-0015', 'alice', T0 + 12 * MIN))).toBe('expired OI_CONFLICT');
    a.submit(down('p-arb-0016'), T0 + 13 * MIN);
    a.advance(T0 + 14 * MIN);
    const approved = a.approve('p-arb-0016', 'alice', T0 + 15 * MIN);
    expect(decisionsOf(approved)[0]?.decision).toMatchObject({ verdict: 'approved', decided_by: 'alice' });
    expect(refusal(() => a.approve('p-arb-0016', 'bob', T0 + 16 * MIN))).toBe('already_decided OI_CONFLICT');
    expect(refusal(() => a.approve('p-arb-none', 'bob', T0 + 16 * MIN))).toBe('unknown_proposal OI_NOT_FOUND');
  });

  it('lets an operator turn a pending proposal down, freeing the lock', () => {
    const a = arbiter('advisory');
    a.submit(down('p-arb-0017'), T0);
    a.advance(T0 + MIN);
    const effects = a.rejectPending('p-arb-0017', 'carol', 'not during the launch', T0 + 2 * MIN);
    expect(fatesOf(effects)).toEqual({ 'p-arb-0017': 'rejected' });
    expect(decisionsOf(effects)[0]?.decision).toMatchObject({
      verdict: 'rejected',
      decided_by: 'carol',
      reason: 'not during the launch',
    });
    expect(a.locks()).toEqual([]);
  });

  it('refuses a high-risk scale-up whose price fits max_cost_increase_pct only on spot', () => {
    const a = new Arbiter();
    a.setWorkload(workload({ mode: 'auto', constraints: { spot_allowed: true, max_cost_increase_pct: 10 } }));
    // +6 of 10 replicas is high risk; 6 000 × (1 − 0.7) = 1 800 ≤ 10% of 20 000, on-demand 6 000 is not
    a.submit(
      proposal('p-arb-0022', {
        priority_class: 'slo',
        action: { kind: 'scale_replicas', from: 10, to: 16 },
        usd: 6_000,
      }),
      T0
    );
    const effects = a.advance(T0 + MIN);
    expect(fatesOf(effects)).toEqual({ 'p-arb-0022': 'rejected' });
    expect(decisionsOf(effects)[0]?.decision.reason).toMatch(
      /^fits max_cost_increase_pct only on spot, and the change is too risky/
    );
  });

  it('stops an execution at a guardrail and names it', () => {
    const guardrails = new Guardrails({ spendCapUsdPerMonth: 500 });
    const a = new Arbiter({ guardrails });
    a.setWorkload(workload({ mode: 'auto' }));
    a.submit(up('p-arb-0018'), T0);
    const effects = a.advance(T0 + MIN);
    expect(fatesOf(effects)).toEqual({ 'p-arb-0018': 'rejected' });
    expect(decisionsOf(effects)[0]?.decision.reason).toMatch(
      /^spend_cap: increases of 0 USD\/month already accepted this period, \+1000 would exceed the cap of 500 USD\/month; agent declared low risk, supervisor computed medium/
    );
    expect(a.locks()).toEqual([]);
  });

  it('walks a rollout step by step, re-checking guardrails before each step', () => {
    const guardrails = new Guardrails({ maxCapacityShareAtOnce: 0.25 });
    const a = new Arbiter({ guardrails });
    a.setWorkload(workload({ mode: 'auto', replicas: 20 }));
    const migrate = proposal('p-arb-0019', {
      priority_class: 'cost',
      action: { kind: 'change_instance_type', from: 'g5.xlarge', to: 'g6.xlarge' },
      usd: -3_000,
    });
    a.submit(migrate, T0);
    const first = a.advance(T0 + MIN);
    expect(decisionsOf(first)[0]?.rollout?.steps.map((s) => s.replicas)).toEqual([2, 10, 20]);
    // step 2 changes 8 replicas at once: over 25% of 20 = 5, so the capacity-share cap halts it
    const halted = a.reportStep('p-arb-0019', true, T0 + 10 * MIN);
    const rollout = halted.find((e) => e.type === 'rollout');
    expect(rollout?.type === 'rollout' && rollout.reason).toMatch(
      /halted: blast_radius.capacity_share: 0 of 20 replicas already changing, \+8 would exceed 5/
    );
  });

  it('completes a default rollout: each step fits the default 50% cap', () => {
    const a = arbiter('auto');
    a.submit(proposal('p-arb-0020', { action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 64 } } }), T0);
    a.advance(T0 + MIN);
    const reasons = [true, true, true].flatMap((ok, i) =>
      a.reportStep('p-arb-0020', ok, T0 + (i + 2) * MIN).flatMap((e) => (e.type === 'rollout' ? [e.reason] : []))
    );
    expect(reasons).toEqual(['step 2 started', 'step 3 started', 'every step verified']);
  });

  it('rolls out a change to 3 of 3 replicas one at a time, the most the cap allows', () => {
    const a = new Arbiter();
    a.setWorkload(workload({ mode: 'auto', replicas: 3 }));
    a.submit(proposal('p-arb-0021', { action: { kind: 'set_context_limit', max_model_len: 8_192 } }), T0);
    const d = decisionsOf(a.advance(T0 + MIN))[0];
    expect([d?.execute, d?.rollout?.steps.map((s) => s.replicas)]).toEqual([true, [1, 2, 3]]);
  });

  it('pauses and resumes: nothing starts while paused, approvals included', () => {
    const a = arbiter('advisory');
    a.submit(down('p-arb-0023'), T0);
    a.advance(T0 + MIN);
    a.pause('ops-lead', T0 + 2 * MIN);
    const stopped = a.approve('p-arb-0023', 'alice', T0 + 3 * MIN);
    expect(decisionsOf(stopped)[0]?.decision.reason).toMatch(/^pause: fleet paused by ops-lead/);
    a.resume('ops-lead', T0 + 4 * MIN);
    a.submit(down('p-arb-0024'), T0 + 5 * MIN);
    a.advance(T0 + 6 * MIN);
    expect(decisionsOf(a.approve('p-arb-0024', 'alice', T0 + 7 * MIN))[0]?.execute).toBe(true);
  });

  it('holds actions outside the workload maintenance window, naming the guardrail', () => {
    const guardrails = new Guardrails({
      maintenance: {
        'wl-1': { policy: 'inside', windows: [{ kind: 'weekly', days: [6], start: '02:00', duration_min: 120 }] },
      },
    });
    const a = new Arbiter({ guardrails });
    a.setWorkload(workload({ mode: 'auto' }));
    a.submit(down('p-arb-0025'), T0); // a Tuesday
    const audit = a.advance(T0 + MIN).flatMap((e) => (e.type === 'audit' ? [e.row] : []));
    expect(audit.map((r) => [r.kind, r.guardrail])).toEqual([['guardrail_stop', 'maintenance_window']]);
  });

  it('sequences a cheaper GPU after a KV offload that still waits for approval', () => {
    const a = arbiter('advisory');
    a.submit(
      proposal('p-arb-0026', {
        priority_class: 'resource',
        action: { kind: 'enable_kv_offload', cpu_gib: 64 },
        gib: 24,
      }),
      T0
    );
    a.submit(
      proposal('p-arb-0027', {
        priority_class: 'cost',
        action: { kind: 'change_instance_type', from: 'p4d.24xlarge', to: 'g6e.12xlarge' },
        usd: -9_000,
      }),
      T0
    );
    a.advance(T0 + MIN);
    a.approve('p-arb-0026', 'alice', T0 + 2 * MIN);
    const gpu = decisionsOf(a.approve('p-arb-0027', 'alice', T0 + 3 * MIN))[0];
    expect([gpu?.execute, gpu?.after]).toEqual([true, 'p-arb-0026']);
  });
});
