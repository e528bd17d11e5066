import {
  planRollout,
  stepReplicas,
  type ExecutionRequest,
  type GuardrailConfig,
  type RolloutPlan,
} from '../guardrails/index.js';
import type { Tracked } from './ledger.js';

function isScaleUp(t: Tracked): boolean {
  const a = t.proposal.action;
  return a.kind === 'scale_replicas' && a.to > a.from;
}

/**
 * The rollout an execution needs: changes to many replicas (`rollout.minReplicas`) or to more
 * than may change at once go step by step; a scale-up takes nothing out of service and never does.
 */
export function rolloutFor(t: Tracked, workloadReplicas: number, config: GuardrailConfig): RolloutPlan | undefined {
  const touched = t.risk?.replicasTouched ?? 0;
  const atOnce = Math.max(1, Math.floor(config.maxCapacityShareAtOnce * workloadReplicas));
  if (isScaleUp(t) || (touched < config.rollout.minReplicas && touched <= atOnce)) return undefined;
  return planRollout(touched, config.rollout.shares);
}

/** What the guardrails judge for `t`'s next start: its first step, or the current rollout step. */
export function executionRequest(
  t: Tracked,
  workloadReplicas: number,
  spotDiscount: number,
  firstStep: boolean
): ExecutionRequest {
  const p = t.proposal;
  const touched = isScaleUp(t) ? 0 : (t.risk?.replicasTouched ?? 0);
  return {
    workload: p.workload,
    proposalId: p.proposal_id,
    replicasChanging: t.rollout ? stepReplicas(t.rollout) : touched,
    workloadReplicas,
    usdPerMonthIncrease: p.expected_impact.usd_per_month * (t.capacity === 'spot' ? 1 - spotDiscount : 1),
    firstStep,
  };
}
