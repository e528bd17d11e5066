import type { Candidate, Observation } from '../agent/analysis.js';
import { engineArg, riskOfShare, round } from './candidate-parts.js';
import type { MemoryPressure } from './memory-pressure.js';
import type { NodeMemory } from './node-memory.js';
import type { ResourceConfig } from './resource-config.js';

/**
 * vLLM's effective `--max-num-seqs` default (shared/data/vllm/REFERENCE.md): 1024 on GPUs with
 * ≥ 70 GiB that are not A100, 256 otherwise.
 */
export function defaultMaxNumSeqs(gpuType: string | undefined, gpuGibEach: number | null): number {
  const big = gpuGibEach !== null && gpuGibEach >= 70;
  return big && !(gpuType ?? '').toUpperCase().includes('A100') ? 1024 : 256;
}

/**
 * Seed 000 §8.4.4 "request queuing when memory is high": after an OOM kill or restart, cap the
 * running sequences so their KV fits: max-num-seqs = ⌊capacity × target usage ÷ tokens per request⌋.
 */
export function admissionLimitCandidate(
  obs: Observation,
  n: NodeMemory,
  p: MemoryPressure,
  replicas: number,
  cfg: ResourceConfig
): Candidate | undefined {
  if (p.oomEvents === 0 || n.kvCapacityTokens === undefined) return undefined;
  const perRequest = (n.promptTokensPerRequest ?? 0) + (n.outputTokensPerRequest ?? 0);
  if (perRequest <= 0) return undefined;
  const limit = Math.max(1, Math.floor((n.kvCapacityTokens * cfg.targetKvUsage) / perRequest));
  const arg = engineArg(obs, n.node, 'max-num-seqs');
  const gpuType = obs.inventory.find((i) => i.node === n.node)?.gpuType;
  const gibEach = n.gpuMemoryTotalGib === null ? null : n.gpuMemoryTotalGib / Math.max(1, n.gpuCount);
  const current = typeof arg === 'number' ? arg : defaultMaxNumSeqs(gpuType, gibEach);
  if (limit >= current) return undefined;
  return {
    strategy: 'resource.admission-limit',
    nodes: [n.node],
    action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': limit } },
    rollback: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': typeof arg === 'number' ? arg : null } },
    expectedImpact: { usd_per_month: 0 },
    confidence: 0.7,
    risk: riskOfShare(1 / Math.max(1, replicas), cfg),
    evidence: [
      { metric: 'OOM kills or restarts', value: p.oomEvents, window_s: n.windowS },
      { metric: 'memory pressure score', value: p.score, unit: '0-100', note: p.severity },
      { metric: 'KV capacity tokens', value: n.kvCapacityTokens },
      { metric: 'tokens per request (prompt + output)', value: Math.round(perRequest), window_s: n.windowS },
      { metric: 'max-num-seqs', value: current, note: `proposed ${limit}` },
    ],
    verifyWindowS: cfg.verifyWindowS,
    summary:
      `${n.node}: ${p.oomEvents} OOM kill(s) or restart(s); cap running sequences at ${limit} ` +
      `(${n.kvCapacityTokens} KV tokens ÷ ~${Math.round(perRequest)} per request at ${cfg.targetKvUsage * 100}%).`,
    priorityClass: 'resource',
  };
}

/**
 * Seed 000 §8.4.4 "auto-scaling on memory pressure": when a node is critical, or has had an OOM
 * event and is high, add the replicas that bring KV demand down to the target usage.
 */
export function scaleOutCandidate(
  obs: Observation,
  nodes: readonly NodeMemory[],
  pressures: readonly MemoryPressure[],
  replicas: number,
  cfg: ResourceConfig
): Candidate | undefined {
  const triggered = pressures.filter((p) => p.severity === 'critical' || (p.oomEvents > 0 && p.severity === 'high'));
  if (triggered.length === 0 || replicas === 0) return undefined;
  let demand = 0;
  let capacity = 0;
  for (const n of nodes) {
    if (n.kvCapacityTokens === undefined || n.kvDemandTokensP95 === null) continue;
    demand += n.kvDemandTokensP95;
    capacity += n.kvCapacityTokens;
  }
  const needed = capacity > 0 ? Math.ceil((replicas * demand) / (capacity * cfg.targetKvUsage)) : replicas + 1;
  const add = Math.min(replicas, Math.max(1, needed - replicas));
  const usdPerHourEach =
    obs.inventory.length > 0
      ? obs.inventory.reduce((a, i) => a + i.usdPerHour, 0) / obs.inventory.length
      : (obs.history.at(-1)?.usdPerHour ?? 0) / replicas;
  const worst = [...triggered].sort((a, b) => b.score - a.score)[0]!;
  return {
    strategy: 'resource.scale-out',
    action: { kind: 'scale_replicas', from: replicas, to: replicas + add },
    rollback: { kind: 'scale_replicas', from: replicas + add, to: replicas },
    expectedImpact: { usd_per_month: round(add * usdPerHourEach * cfg.hoursPerMonth, 2) },
    confidence: 0.75,
    risk: riskOfShare(add / replicas, cfg),
    evidence: [
      {
        metric: 'memory pressure score (worst node)',
        value: worst.score,
        unit: '0-100',
        note: `${worst.node} ${worst.severity}`,
      },
      { metric: 'OOM kills or restarts', value: pressures.reduce((a, p) => a + p.oomEvents, 0) },
      { metric: 'KV demand tokens p95, all nodes', value: Math.round(demand) },
      { metric: 'KV capacity tokens, all nodes', value: capacity },
      { metric: 'replicas', value: replicas, note: `proposed ${replicas + add}` },
      { metric: 'USD per instance-hour', value: round(usdPerHourEach, 4), unit: 'USD/h' },
    ],
    verifyWindowS: cfg.verifyWindowS,
    summary:
      `Memory pressure ${worst.score}/100 on ${worst.node} (${worst.severity}); add ${add} replica(s) so KV ` +
      `demand of ${Math.round(demand)} tokens sits near ${cfg.targetKvUsage * 100}% of capacity.`,
    priorityClass: 'resource',
  };
}
