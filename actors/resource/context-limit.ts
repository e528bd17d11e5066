import type { Candidate, Observation } from '../agent/analysis.js';
import { appContextStats } from '../application/index.js';
import { engineArg, riskOfShare, roundUp } from './candidate-parts.js';
import type { MemoryPressure } from './memory-pressure.js';
import type { ResourceConfig } from './resource-config.js';

/**
 * Seed 000 §8.4.3 under memory pressure: `--max-model-len` = p95 context (prompt + output p95)
 * × 1.2, never below the largest request seen (vLLM refuses longer prompts), rounded up, when
 * that cuts the current limit by more than 20%. One limit for the engine: the largest over
 * request types.
 */
export function contextLimitCandidate(
  obs: Observation,
  pressures: readonly MemoryPressure[],
  replicas: number,
  cfg: ResourceConfig
): Candidate | undefined {
  const pressed = pressures.filter((p) => p.score > cfg.severity.medium);
  if (pressed.length === 0) return undefined;
  const limits = [...new Set(pressed.map((p) => engineArg(obs, p.node, 'max-model-len')))];
  if (limits.length !== 1 || typeof limits[0] !== 'number') return undefined;
  const current = limits[0];
  const ctx = appContextStats(obs);
  if (ctx === undefined) return undefined;
  const proposed = Math.min(
    current,
    roundUp(Math.max(ctx.contextP95 * cfg.contextMargin, ctx.contextMax), cfg.contextRoundTokens)
  );
  if (proposed > current * (1 - cfg.contextMinCut)) return undefined;
  const nodes = pressed.map((p) => p.node);
  return {
    strategy: 'resource.context-limit',
    nodes,
    action: { kind: 'set_context_limit', max_model_len: proposed },
    rollback: { kind: 'set_context_limit', max_model_len: current },
    expectedImpact: { usd_per_month: 0 },
    confidence: 0.65,
    risk: riskOfShare(nodes.length / Math.max(1, replicas), cfg),
    evidence: [
      { metric: 'context tokens p95 (prompt p95 + output p95)', value: ctx.contextP95, window_s: ctx.windowS },
      { metric: 'largest request seen (prompt max + output p95)', value: ctx.contextMax, window_s: ctx.windowS },
      { metric: 'max-model-len', value: current, note: `proposed ${proposed}` },
      { metric: 'memory pressure score (worst node)', value: Math.max(...pressed.map((p) => p.score)), unit: '0-100' },
    ],
    verifyWindowS: cfg.verifyWindowS,
    summary:
      `Under memory pressure, requests need at most ~${ctx.contextMax} tokens (p95 ${ctx.contextP95}) but ` +
      `max-model-len is ${current}; lower it to ${proposed} so one long request cannot hold the KV cache.`,
    priorityClass: 'resource',
  };
}
