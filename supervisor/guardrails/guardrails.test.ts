import { describe, expect, it } from 'vitest';
import { Guardrails, type ExecutionRequest } from './guardrails.js';

const T0 = Date.parse('2026-11-24T12:00:00Z');
const MIN = 60_000;
const req = (over: Partial<ExecutionRequest> = {}): ExecutionRequest => ({
  workload: 'wl-1',
  proposalId: 'p-g-1',
  replicasChanging: 1,
  workloadReplicas: 10,
  usdPerMonthIncrease: 0,
  firstStep: true,
  ...over,
});

describe('guardrails Guardrails', () => {
  it('pause stops everything until resumed, naming who paused', () => {
    const g = new Guardrails();
    g.setPaused(true, 'alice', T0);
    expect(g.check(req(), T0 + 1)).toEqual({
      ok: false,
      guardrail: 'pause',
      reason: 'pause: fleet paused by alice at 2026-11-24T12:00:00.000Z',
    });
    g.setPaused(false, 'alice', T0 + MIN);
    expect(g.check(req(), T0 + MIN)).toEqual({ ok: true });
  });

  it('caps actions per hour per workload and fleet on a sliding hour', () => {
    const g = new Guardrails({ maxActionsPerHourPerWorkload: 2, maxActionsPerHourFleet: 3, maxCapacityShareAtOnce: 1 });
    g.record(req({ proposalId: 'p-g-a' }), T0);
    g.record(req({ proposalId: 'p-g-b' }), T0 + MIN);
    const third = g.check(req({ proposalId: 'p-g-c' }), T0 + 2 * MIN);
    expect(third).toMatchObject({ guardrail: 'blast_radius.workload_actions_per_hour' });
    expect(!third.ok && third.reason).toBe(
      'blast_radius.workload_actions_per_hour: wl-1 already ran 2 actions in the last hour (cap 2)'
    );
    g.record(req({ workload: 'wl-2', proposalId: 'p-g-d' }), T0 + 2 * MIN);
    expect(g.check(req({ workload: 'wl-3', proposalId: 'p-g-e' }), T0 + 3 * MIN)).toMatchObject({
      guardrail: 'blast_radius.fleet_actions_per_hour',
    });
    // the first action leaves the hour at T0 + 60 min
    expect(g.check(req({ workload: 'wl-3', proposalId: 'p-g-e' }), T0 + 60 * MIN).ok).toBe(true);
    // later steps of a rollout are not new actions
    expect(g.check(req({ proposalId: 'p-g-b', firstStep: false }), T0 + 3 * MIN).ok).toBe(true);
  });

  it('caps the share of a workload changing at once, always allowing one replica', () => {
    const g = new Guardrails({ maxCapacityShareAtOnce: 0.25 });
    g.record(req({ proposalId: 'p-g-a', replicasChanging: 2 }), T0);
    // floor(0.25 × 10) = 2 replicas at once
    expect(g.check(req({ proposalId: 'p-g-b', replicasChanging: 1 }), T0)).toMatchObject({
      guardrail: 'blast_radius.capacity_share',
      reason: 'blast_radius.capacity_share: 2 of 10 replicas already changing, +1 would exceed 2 (25% at once)',
    });
    expect(g.check(req({ proposalId: 'p-g-b', replicasChanging: 0 }), T0).ok).toBe(true);
    g.settle('p-g-a');
    expect(g.check(req({ proposalId: 'p-g-b', replicasChanging: 2 }), T0).ok).toBe(true);
    expect(g.check(req({ proposalId: 'p-g-s', replicasChanging: 1, workloadReplicas: 2 }), T0).ok).toBe(true);
  });

  it('caps monthly spend increases per rolling period', () => {
    const g = new Guardrails({ spendCapUsdPerMonth: 1_000, spendPeriodMs: 24 * 60 * MIN, maxCapacityShareAtOnce: 1 });
    g.record(req({ proposalId: 'p-g-a', usdPerMonthIncrease: 700 }), T0);
    g.record(req({ proposalId: 'p-g-b', usdPerMonthIncrease: -5_000 }), T0);
    expect(g.check(req({ proposalId: 'p-g-c', usdPerMonthIncrease: 301 }), T0 + MIN)).toMatchObject({
      guardrail: 'spend_cap',
      reason:
        'spend_cap: increases of 700 USD/month already accepted this period, +301 would exceed the cap of 1000 USD/month',
    });
    expect(g.check(req({ proposalId: 'p-g-c', usdPerMonthIncrease: 300 }), T0 + MIN).ok).toBe(true);
    expect(g.check(req({ proposalId: 'p-g-c', usdPerMonthIncrease: 301 }), T0 + 24 * 60 * MIN).ok).toBe(true);
    expect(g.state('wl-1', T0 + MIN)).toMatchObject({
      spendIncreaseInPeriodUsdPerMonth: 700,
      workloadActionsLastHour: 2,
    });
  });

  it('applies maintenance windows per workload', () => {
    const g = new Guardrails({
      maintenance: {
        'wl-1': { policy: 'inside', windows: [{ kind: 'weekly', days: [6, 0], start: '02:00', duration_min: 240 }] },
      },
    });
    // 2026-11-24 is a Tuesday
    expect(g.check(req(), T0)).toMatchObject({ guardrail: 'maintenance_window' });
    expect(g.check(req({ workload: 'wl-2' }), T0).ok).toBe(true);
    expect(g.check(req(), Date.parse('2026-11-28T03:00:00Z')).ok).toBe(true);
  });

  it('refuses a bad config naming the field and the rule', () => {
    expect(() => new Guardrails({ maxCapacityShareAtOnce: 0 })).toThrow(
      /maxCapacityShareAtOnce: Too small.*\(too_small\)/
    );
    expect(() => new Guardrails({ rollout: { minReplicas: 4, shares: [0.5, 0.1, 1] } })).toThrow(
      /rollout.shares: rollout shares\[1\]: must grow/
    );
    expect(
      () =>
        new Guardrails({
          maintenance: {
            w: { policy: 'inside', windows: [{ kind: 'weekly', days: [1], start: '25:00', duration_min: 5 }] },
          },
        })
    ).toThrow(/maintenance.w.windows\[0\].start: time of day as HH:MM/);
  });
});
