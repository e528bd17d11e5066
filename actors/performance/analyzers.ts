import { resourceOf } from '../../schemas/index.js';
import type { AgentAnalyzers, Candidate, Observation } from '../agent/analysis.js';
import { batchTuning } from './batch-tuning.js';
import { DEFAULT_PERFORMANCE_CONFIG, type PerformanceConfig } from './config.js';
import { predictiveScaling } from './predictive-scaling.js';
import { routingPolicy } from './routing-policy.js';
import { sloScaling } from './slo-scaling.js';

/** Keeps the best candidate per resource: the larger scale-up for replicas (a breach outranks a forecast on ties), else the more confident. */
export function bestPerResource(candidates: readonly Candidate[]): Candidate[] {
  const best = new Map<string, Candidate>();
  for (const c of candidates) {
    const r = resourceOf(c.action);
    const prev = best.get(r);
    if (!prev || better(c, prev)) best.set(r, c);
  }
  return [...best.values()].sort(
    (a, b) =>
      b.confidence * Math.abs(b.expectedImpact.usd_per_month) -
        a.confidence * Math.abs(a.expectedImpact.usd_per_month) || b.confidence - a.confidence
  );
}

function better(c: Candidate, prev: Candidate): boolean {
  if (c.action.kind === 'scale_replicas' && prev.action.kind === 'scale_replicas') return c.action.to > prev.action.to;
  return c.confidence > prev.confidence;
}

/** The performance agent's analyzers with a configuration (defaults: `DEFAULT_PERFORMANCE_CONFIG`). */
export function createPerformanceAnalyzers(cfg: PerformanceConfig = DEFAULT_PERFORMANCE_CONFIG): AgentAnalyzers {
  return {
    agent: 'performance',
    analyze: (obs: Observation) =>
      bestPerResource([
        ...sloScaling(obs, cfg),
        ...predictiveScaling(obs, cfg),
        ...batchTuning(obs, cfg),
        ...routingPolicy(obs, cfg),
      ]),
  };
}

export const performanceAnalyzers: AgentAnalyzers = createPerformanceAnalyzers();
