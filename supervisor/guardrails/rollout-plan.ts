/**
 * Gradual rollout of a change that touches many replicas: 10% → 50% → 100% by default, each
 * step verified before the next (seed 003 "Gradual rollout (10% → 50% → 100%)"). A failed
 * verification stops the rollout and asks for the rollback of every replica changed so far.
 */
export interface RolloutStep {
  /** Cumulative share of the targeted replicas changed once this step is done. */
  share: number;
  /** Cumulative number of replicas changed once this step is done. */
  replicas: number;
}

export interface RolloutPlan {
  totalReplicas: number;
  steps: RolloutStep[];
  /** Index of the step being executed; `steps.length` once every step is verified. */
  current: number;
  status: 'running' | 'done' | 'rolled_back';
}

export const DEFAULT_ROLLOUT_SHARES: readonly number[] = [0.1, 0.5, 1];

/** The plan for `totalReplicas`; steps that would change no new replica are merged away. */
export function planRollout(totalReplicas: number, shares: readonly number[] = DEFAULT_ROLLOUT_SHARES): RolloutPlan {
  if (!Number.isInteger(totalReplicas) || totalReplicas < 1) {
    throw new RangeError(`rollout totalReplicas: must be a positive integer, got ${totalReplicas}`);
  }
  checkShares(shares);
  const steps: RolloutStep[] = [];
  for (const share of shares) {
    const replicas = Math.max(1, Math.ceil(share * totalReplicas));
    if (steps.at(-1)?.replicas === replicas) continue;
    steps.push({ share: replicas / totalReplicas, replicas });
  }
  return { totalReplicas, steps, current: 0, status: 'running' };
}

/** Validates rollout shares: increasing, in (0, 1], ending at 1. */
export function checkShares(shares: readonly number[]): void {
  if (shares.length === 0 || shares.at(-1) !== 1) throw new RangeError('rollout shares: must end at 1 (100%)');
  shares.forEach((s, i) => {
    if (!(s > 0 && s <= 1)) throw new RangeError(`rollout shares[${i}]: must be in (0, 1], got ${s}`);
    if (i > 0 && s <= (shares[i - 1] ?? 0)) throw new RangeError(`rollout shares[${i}]: must grow, got ${s}`);
  });
}

/** Replicas the current step changes, beyond those already done. */
export function stepReplicas(plan: RolloutPlan): number {
  const step = plan.steps[plan.current];
  if (!step) return 0;
  return step.replicas - (plan.steps[plan.current - 1]?.replicas ?? 0);
}

/** The plan after the current step's verification: next step, done, or rolled back. */
export function verifyStep(plan: RolloutPlan, ok: boolean): RolloutPlan {
  if (plan.status !== 'running') throw new RangeError(`rollout: cannot verify a step of a ${plan.status} rollout`);
  if (!ok) return { ...plan, status: 'rolled_back' };
  const current = plan.current + 1;
  return { ...plan, current, status: current >= plan.steps.length ? 'done' : 'running' };
}
