import type { RiskLevel } from '../../../schemas/index.js';
import type { Observation } from '../../agent/analysis.js';

/** Expected impacts are monthly: 730 h/month (8,760 h / 12; the seed's `hourly_rate * 730`). */
export const HOURS_PER_MONTH = 730;

export const usdPerMonth = (usdPerHour: number): number => usdPerHour * HOURS_PER_MONTH;

export interface RiskThresholds {
  /** Share of capacity at or below which a change counts as small. */
  lowCapacityShare: number;
  /** Share of capacity above which a change is high risk. */
  highCapacityShare: number;
}

/**
 * DESIGN.md "Supervisor": low = reversible within minutes, ≤ 10% of capacity, no money committed;
 * high = a purchase commitment or > 50% of capacity; medium otherwise.
 */
export function riskOf(capacityShare: number, commitsMoney: boolean, t: RiskThresholds): RiskLevel {
  if (commitsMoney || capacityShare > t.highCapacityShare) return 'high';
  return capacityShare <= t.lowCapacityShare ? 'low' : 'medium';
}

export const maxRisk = (a: RiskLevel, b: RiskLevel): RiskLevel => {
  const rank = { low: 0, medium: 1, high: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
};

/** Launch-to-serving delay of an instance type: the provider's quote, else the configured default. */
export function provisionDelayS(obs: Observation, instanceType: string | undefined, fallbackS: number): number {
  return obs.prices.instanceTypes.find((t) => t.id === instanceType)?.provisionDelayS ?? fallbackS;
}

/**
 * Highest replica count `max_cost_increase_pct` allows when adding replicas at `usdPerReplicaHour`
 * to a fleet billed `fleetUsdPerHour`; `to` itself without the constraint.
 */
export function capByCostIncrease(obs: Observation, from: number, to: number, usdPerReplicaHour: number): number {
  const pct = obs.spec.constraints.max_cost_increase_pct;
  const fleetUsdPerHour = obs.inventory.reduce((a, n) => a + n.usdPerHour, 0);
  if (pct === undefined || !(usdPerReplicaHour > 0)) return to;
  return Math.min(to, from + Math.floor((fleetUsdPerHour * pct) / 100 / usdPerReplicaHour + 1e-9));
}
