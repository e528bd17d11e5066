import type { Proposal } from '../../schemas/index.js';
import type { WorkloadContext } from './workload-context.js';

/** A customer constraint or operator pin that rules a proposal out before arbitration. */
export interface ConstraintStop {
  constraint:
    'operator_pin' | 'max_cost_increase_pct' | 'min_slo_attainment' | 'allowed_instance_types' | 'spot_allowed';
  reason: string;
}

export interface ConstraintPass {
  /** Set when the action fits only on spot capacity (a scale-up whose on-demand cost breaks the cap). */
  onlyOnSpot?: boolean;
}

/**
 * Customer constraints filter first (seed 000 §4.5.3 "Constraint Satisfaction"). An operator
 * pin on the resource stops every agent proposal; `operator` proposals pass pins. A scale-up
 * over `max_cost_increase_pct` still passes when spot is allowed and its spot price fits.
 */
export function checkConstraints(
  p: Proposal,
  ctx: WorkloadContext,
  atMs: number,
  spotDiscount: number
): ConstraintPass | ConstraintStop {
  const c = ctx.constraints;
  const a = p.action;
  if (p.priority_class !== 'operator') {
    const pin = ctx.pins?.find((x) => x.resource === p.resource && (x.untilMs === undefined || x.untilMs > atMs));
    if (pin) return { constraint: 'operator_pin', reason: `${p.resource} is pinned by ${pin.by}` };
  }
  if (a.kind === 'change_instance_type' && c.allowed_instance_types && !c.allowed_instance_types.includes(a.to)) {
    return {
      constraint: 'allowed_instance_types',
      reason: `${a.to} is not an allowed instance type (${c.allowed_instance_types.join(', ')})`,
    };
  }
  if (a.kind === 'change_purchase_option' && a.to === 'spot' && a.from !== 'spot' && !c.spot_allowed) {
    return { constraint: 'spot_allowed', reason: 'spot capacity is not allowed for this workload' };
  }
  const slo = p.expected_impact.slo_attainment_delta;
  if (c.min_slo_attainment !== undefined && slo !== undefined && slo < 0 && ctx.sloAttainment !== undefined) {
    const after = ctx.sloAttainment + slo;
    if (after < c.min_slo_attainment) {
      return {
        constraint: 'min_slo_attainment',
        reason: `SLO attainment would fall to ${round(after)} (< ${c.min_slo_attainment})`,
      };
    }
  }
  const usd = p.expected_impact.usd_per_month;
  if (c.max_cost_increase_pct !== undefined && usd > 0) {
    const capUsd = (c.max_cost_increase_pct / 100) * ctx.usdPerMonth;
    if (usd > capUsd) {
      const spotUsd = usd * (1 - spotDiscount);
      if (a.kind === 'scale_replicas' && a.to > a.from && c.spot_allowed && spotUsd <= capUsd) {
        return { onlyOnSpot: true };
      }
      return {
        constraint: 'max_cost_increase_pct',
        reason: `raises spend by ${round(usd)} USD/month, over ${c.max_cost_increase_pct}% of ${round(ctx.usdPerMonth)} (${round(capUsd)})`,
      };
    }
  }
  return {};
}

export function isConstraintStop(r: ConstraintPass | ConstraintStop): r is ConstraintStop {
  return 'constraint' in r;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
