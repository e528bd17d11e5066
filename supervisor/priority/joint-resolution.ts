import type { Proposal } from '../../schemas/index.js';
import type { RiskAssessment } from './risk.js';
import type { WorkloadContext } from './workload-context.js';

/**
 * Joint resolutions from the seeds (000 §19.2), applied after the priority order picked the
 * winners of a window:
 * 1. "Cost wants scale down, Performance wants scale up → scale up, use spot instances": a
 *    winning scale-up runs its added replicas on spot when the workload allows spot, the change
 *    is not high risk, and cost pushed back in the same window (a scale-down or a move to spot)
 *    or the on-demand price breaks `max_cost_increase_pct` while the spot price fits.
 * 2. "Resource needs memory, Cost wants cheaper GPU → deploy KV offload first": when a KV
 *    offload wins the engine config, proposals asking a bigger GPU for memory are superseded
 *    by it, and a cheaper GPU runs only after the offload is verified.
 */
export interface SpotJoint {
  capacity: 'spot';
  why: string;
}

export function spotScaleUp(
  winner: Proposal,
  window: readonly Proposal[],
  ctx: WorkloadContext,
  risk: RiskAssessment,
  onlyOnSpot: boolean
): SpotJoint | undefined {
  const a = winner.action;
  if (a.kind !== 'scale_replicas' || a.to <= a.from || !ctx.constraints.spot_allowed || risk.level === 'high') {
    return undefined;
  }
  const pushback = window.find(
    (p) =>
      p.proposal_id !== winner.proposal_id &&
      p.priority_class === 'cost' &&
      ((p.action.kind === 'scale_replicas' && p.action.to < p.action.from) ||
        (p.action.kind === 'change_purchase_option' && p.action.to === 'spot'))
  );
  if (onlyOnSpot) {
    return {
      capacity: 'spot',
      why: 'joint: the added replicas run on spot, the only price within max_cost_increase_pct',
    };
  }
  if (pushback) {
    return {
      capacity: 'spot',
      why: `joint with ${pushback.proposal_id}: scale up on spot capacity (seed 000 §19.2 scenario 1)`,
    };
  }
  return undefined;
}

/** True when `p` asks a bigger GPU for memory (the need a KV offload can meet instead). */
export function wantsGpuMemory(p: Proposal): boolean {
  return (
    p.action.kind === 'change_instance_type' &&
    p.action.from !== p.action.to &&
    (p.expected_impact.gpu_memory_gib_delta ?? 0) > 0
  );
}

/** True when `p` moves to a cheaper or smaller GPU, which should follow a KV offload. */
export function wantsCheaperGpu(p: Proposal): boolean {
  return (
    p.action.kind === 'change_instance_type' &&
    p.action.from !== p.action.to &&
    (p.expected_impact.usd_per_month < 0 || (p.expected_impact.gpu_memory_gib_delta ?? 0) < 0)
  );
}
