import { resourceOf } from '../../schemas/index.js';
import type { AgentAnalyzers, Candidate, Observation } from '../agent/analysis.js';
import { autoscalingPolicy } from './autoscaling-policy.js';
import { DEFAULT_COST_CONFIG, type CostConfig } from './config.js';
import { reservedCapacity } from './reserved-capacity.js';
import { rightSizing } from './right-sizing.js';
import { spotFallback } from './spot-fallback.js';
import { spotMigration } from './spot-migration.js';

const score = (c: Candidate): number => -c.expectedImpact.usd_per_month * c.confidence;

/**
 * One candidate per resource, ranked by saving × confidence. A spot fallback outranks any other
 * purchase-option change (reliability first); scale-down and right-sizing both cut capacity, so
 * only the one that saves more is kept — together they would cut it twice; a reservation is
 * dropped when a right-size moves nodes off the type.
 */
export function rankCost(candidates: readonly Candidate[]): Candidate[] {
  const best = new Map<string, Candidate>();
  for (const c of candidates) {
    const prev = best.get(resourceOf(c.action));
    const wins =
      !prev ||
      (c.strategy === 'cost.spot-fallback' ? true : prev.strategy !== 'cost.spot-fallback' && score(c) > score(prev));
    if (wins) best.set(resourceOf(c.action), c);
  }
  const replicas = best.get('replicas');
  let type = best.get('instance_type');
  if (replicas && type) {
    best.delete(score(replicas) >= score(type) ? 'instance_type' : 'replicas');
    type = best.get('instance_type');
  }
  // never commit to a type the same analysis moves away from
  const purchase = best.get('purchase_option');
  if (type && purchase?.action.kind === 'change_purchase_option' && purchase.action.to === 'reserved') {
    best.delete('purchase_option');
  }
  return [...best.values()].sort((a, b) => score(b) - score(a));
}

/** The cost agent's analyzers with a configuration (defaults: `DEFAULT_COST_CONFIG`). */
export function createCostAnalyzers(cfg: CostConfig = DEFAULT_COST_CONFIG): AgentAnalyzers {
  return {
    agent: 'cost',
    analyze: (obs: Observation) =>
      rankCost([
        ...spotFallback(obs, cfg),
        ...spotMigration(obs, cfg),
        ...rightSizing(obs, cfg),
        ...reservedCapacity(obs, cfg),
        ...autoscalingPolicy(obs, cfg),
      ]),
  };
}

export const costAnalyzers: AgentAnalyzers = createCostAnalyzers();
