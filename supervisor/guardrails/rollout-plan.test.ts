import { describe, expect, it } from 'vitest';
import { planRollout, stepReplicas, verifyStep } from './rollout-plan.js';

describe('guardrails rollout plan', () => {
  it.each([
    // ceil(10% · n), ceil(50% · n), n (seed 003: 10% → 50% → 100%)
    [10, [1, 5, 10]],
    [20, [2, 10, 20]],
    [4, [1, 2, 4]],
    [2, [1, 2]],
    [1, [1]],
  ])('plans %i replicas as %j', (n, replicas) => {
    expect(planRollout(n).steps.map((s) => s.replicas)).toEqual(replicas);
  });

  it('advances only on verification and stops on a failed one', () => {
    let plan = planRollout(10);
    expect(stepReplicas(plan)).toBe(1);
    plan = verifyStep(plan, true);
    expect([plan.current, plan.status, stepReplicas(plan)]).toEqual([1, 'running', 4]);
    plan = verifyStep(plan, true);
    expect(stepReplicas(plan)).toBe(5);
    expect(verifyStep(plan, true).status).toBe('done');
    const failed = verifyStep(plan, false);
    expect(failed.status).toBe('rolled_back');
    expect(() => verifyStep(failed, true)).toThrow(/cannot verify a step of a rolled_back rollout/);
  });

  it('refuses bad plans', () => {
    expect(() => planRollout(0)).toThrow(/totalReplicas: must be a positive integer/);
    expect(() => planRollout(5, [0.5])).toThrow(/must end at 1/);
  });
});
