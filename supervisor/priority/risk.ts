import { z } from 'zod';
import type { ActionKind, ActionSpec, Proposal, RiskLevel } from '../../schemas/index.js';

/**
 * Risk as DESIGN.md defines it, computed from the action and the workload's capacity, never
 * taken from the agent: low = reversible within minutes, touches ≤ 10% of capacity and commits
 * no money; high = a purchase commitment or a change to more than half the capacity; medium
 * otherwise. Rollback times per action kind are estimates (a GPU instance boots and loads a
 * model in about 5–15 min; an engine restart or a routing change takes well under that).
 */
export const riskConfigSpec = z.object({
  lowMaxShare: z.number().min(0).max(1).default(0.1),
  highMinShare: z.number().min(0).max(1).default(0.5),
  reversibleWithinMin: z.number().positive().default(10),
  rollbackMin: z
    .object({
      scale_replicas: z.number().min(0).default(5),
      change_instance_type: z.number().min(0).default(15),
      change_purchase_option: z.number().min(0).default(15),
      reconfigure_engine: z.number().min(0).default(3),
      set_routing: z.number().min(0).default(1),
      set_context_limit: z.number().min(0).default(3),
      enable_kv_offload: z.number().min(0).default(3),
    } satisfies Record<ActionKind, unknown>)
    .default({
      scale_replicas: 5,
      change_instance_type: 15,
      change_purchase_option: 15,
      reconfigure_engine: 3,
      set_routing: 1,
      set_context_limit: 3,
      enable_kv_offload: 3,
    }),
});
export type RiskConfig = z.infer<typeof riskConfigSpec>;

export interface RiskAssessment {
  level: RiskLevel;
  /** Share of the workload's replicas the action changes (may exceed 1 for a large scale-up). */
  share: number;
  /** Serving replicas the action changes; additions count. */
  replicasTouched: number;
  reversible: boolean;
  commitsMoney: boolean;
  why: string;
  declared: RiskLevel;
  /** Set when the agent's declared risk differs from the computed one. */
  disagreement?: string;
}

/** True when the action asks to keep the resource as it is ("keep xlarge", "stay on-demand"). */
export function isHold(action: ActionSpec): boolean {
  return (
    (action.kind === 'scale_replicas' ||
      action.kind === 'change_instance_type' ||
      action.kind === 'change_purchase_option') &&
    action.from === action.to
  );
}

/** Replicas an action changes: the scale delta, the targeted nodes, or all replicas. */
export function replicasTouched(p: Proposal, replicas: number): number {
  const a = p.action;
  if (isHold(a)) return 0;
  if (a.kind === 'scale_replicas') return Math.abs(a.to - a.from);
  if (a.kind === 'set_routing') return 0; // traffic moves, capacity does not
  return Math.min(replicas, p.target.nodes?.length ?? replicas);
}

export function classifyRisk(p: Proposal, replicas: number, config: RiskConfig): RiskAssessment {
  const a = p.action;
  const touched = replicasTouched(p, replicas);
  const share = touched / Math.max(1, replicas);
  const purchase = a.kind === 'change_purchase_option' && a.to === 'reserved' && a.from !== 'reserved';
  const commitsMoney = purchase || p.expected_impact.usd_per_month > 0;
  const reversible = isHold(a) || (!purchase && config.rollbackMin[a.kind] <= config.reversibleWithinMin);
  const pct = `${Math.round(share * 1000) / 10}% of ${replicas} replicas`;
  let level: RiskLevel;
  let why: string;
  if (purchase) {
    level = 'high';
    why = 'a purchase commitment (reserved capacity)';
  } else if (share > config.highMinShare) {
    level = 'high';
    why = `changes ${pct} (> ${config.highMinShare * 100}%)`;
  } else if (reversible && share <= config.lowMaxShare && !commitsMoney) {
    level = 'low';
    why = `${isHold(a) ? 'keeps the resource as it is' : `reversible in ~${config.rollbackMin[a.kind]} min`}, changes ${pct}, commits no money`;
  } else {
    const not = [
      !reversible ? `rollback takes ~${config.rollbackMin[a.kind]} min (> ${config.reversibleWithinMin})` : '',
      share > config.lowMaxShare ? `changes ${pct} (> ${config.lowMaxShare * 100}%)` : '',
      commitsMoney ? `raises spend by ${p.expected_impact.usd_per_month} USD/month` : '',
    ].filter(Boolean);
    level = 'medium';
    why = not.join('; ');
  }
  const out: RiskAssessment = {
    level,
    share,
    replicasTouched: touched,
    reversible,
    commitsMoney,
    why,
    declared: p.risk,
  };
  if (p.risk !== level) out.disagreement = `agent declared ${p.risk} risk, supervisor computed ${level} (${why})`;
  return out;
}
