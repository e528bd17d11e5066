import type { EvidenceItem } from '../../schemas/index.js';
import type { Candidate, Observation } from '../agent/analysis.js';
import { engineArg, riskOfShare, round } from './candidate-parts.js';
import { kvShort, type MemoryPressure } from './memory-pressure.js';
import { kvBytesPerTokenOf } from './model-kv.js';
import type { NodeMemory } from './node-memory.js';
import type { ResourceConfig } from './resource-config.js';

const GiB = 1024 ** 3;

/** The node's `--gpu-memory-utilization`: its engine config, else what it holds (vLLM preallocates that share). */
export function utilizationOf(obs: Observation, n: NodeMemory): number | null {
  const arg = engineArg(obs, n.node, 'gpu-memory-utilization');
  if (typeof arg === 'number') return arg;
  return n.gpuMemoryUsedShare === null ? null : round(n.gpuMemoryUsedShare, 2);
}

function baseEvidence(n: NodeMemory, p: MemoryPressure): EvidenceItem[] {
  return [
    { metric: 'memory pressure score', value: p.score, unit: '0-100', window_s: n.windowS, note: p.severity },
    { metric: 'vllm:kv_cache_usage_perc p95', value: round(n.kvUsageP95, 3), unit: 'ratio', window_s: n.windowS },
    { metric: 'vllm:num_preemptions_total increase', value: n.preemptions, window_s: n.windowS },
    { metric: 'requests finished', value: n.finished, window_s: n.windowS },
  ];
}

/**
 * One engine_config change per KV-short node, cheapest first: raise `--gpu-memory-utilization`
 * when the engine holds well under the target (free, no quality cost); else a CPU/disk KV tier
 * when prefix reuse or long contexts make reloading beat recomputing (seed 000 §8.4.2); else
 * `--kv-cache-dtype fp8` (twice the KV tokens for ~0.3% quality).
 */
export function engineMemoryCandidate(
  obs: Observation,
  n: NodeMemory,
  p: MemoryPressure,
  replicas: number,
  cfg: ResourceConfig
): Candidate | undefined {
  if (n.samples < cfg.minSamples || !kvShort(n, cfg)) return undefined;
  const risk = riskOfShare(1 / Math.max(1, replicas), cfg);
  const dtype = engineArg(obs, n.node, 'kv-cache-dtype');
  const bytesPerToken = kvBytesPerTokenOf(n.model, dtype);
  const util = utilizationOf(obs, n);
  const common = { nodes: [n.node], risk, verifyWindowS: cfg.verifyWindowS, priorityClass: 'resource' as const };

  if (util !== null && util < cfg.targetGpuMemoryUtilization - cfg.utilizationSlack) {
    const target = cfg.targetGpuMemoryUtilization;
    const addGib = n.gpuMemoryTotalGib === null ? null : (target - util) * n.gpuMemoryTotalGib;
    const evidence = baseEvidence(n, p);
    evidence.push({ metric: 'gpu-memory-utilization', value: util, unit: 'ratio', note: `target ${target}` });
    let extra = '';
    if (addGib !== null && bytesPerToken !== undefined && n.kvCapacityTokens !== undefined) {
      const after = n.kvCapacityTokens + Math.floor((addGib * GiB) / bytesPerToken);
      evidence.push({ metric: 'KV capacity tokens', value: n.kvCapacityTokens, note: `expected after: ${after}` });
      extra = `, KV capacity ${n.kvCapacityTokens} → ~${after} tokens`;
    }
    return {
      strategy: 'resource.gpu-memory-utilization',
      action: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': target } },
      rollback: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': util } },
      expectedImpact: { usd_per_month: 0, ...(addGib !== null ? { gpu_memory_gib_delta: round(addGib, 1) } : {}) },
      confidence: 0.8,
      evidence,
      summary:
        `${n.node}: ${n.preemptions} preemptions with KV p95 ${round(n.kvUsageP95 * 100, 0)}% while the engine ` +
        `holds ${round(util * 100, 0)}% of GPU memory; raise --gpu-memory-utilization to ${target}${extra}.`,
      ...common,
    };
  }

  const offloaded = engineArg(obs, n.node, 'kv-offloading-size');
  const reuse = n.prefixHitRate !== null && n.prefixHitRate >= cfg.prefixReuseHitRate;
  const longContext = n.promptTokensPerRequest !== null && n.promptTokensPerRequest >= cfg.longContextTokens;
  if (
    offloaded === undefined &&
    (reuse || longContext) &&
    bytesPerToken !== undefined &&
    n.kvCapacityTokens !== undefined &&
    n.kvDemandTokensP95 !== null &&
    n.gpuMemoryTotalGib !== null
  ) {
    const deficit = Math.max(0, n.kvDemandTokensP95 - n.kvCapacityTokens * cfg.targetKvUsage);
    const tierTokens = Math.max(deficit * cfg.offloadDeficitMultiple, n.kvCapacityTokens);
    const neededGib = (tierTokens * bytesPerToken) / GiB;
    const cpuCap = Math.min(cfg.cpuTierPerGpuMemory * n.gpuMemoryTotalGib, cfg.cpuTierMaxGib);
    const cpuGib = Math.max(1, Math.ceil(Math.min(neededGib, cpuCap)));
    const diskGib =
      neededGib > cpuCap
        ? Math.ceil(Math.min(neededGib - cpuCap, cfg.diskTierPerGpuMemory * n.gpuMemoryTotalGib))
        : undefined;
    const evidence = baseEvidence(n, p);
    evidence.push(
      { metric: 'KV capacity tokens', value: n.kvCapacityTokens },
      {
        metric: 'KV demand tokens p95 (in use + waiting)',
        value: Math.round(n.kvDemandTokensP95),
        window_s: n.windowS,
      },
      { metric: 'KV bytes per token', value: bytesPerToken, unit: 'B' },
      {
        metric: 'offload tier needed',
        value: round(neededGib, 1),
        unit: 'GiB',
        note: `CPU tier cap ${round(cpuCap, 0)} GiB`,
      }
    );
    if (n.prefixHitRate !== null) evidence.push({ metric: 'prefix cache hit rate', value: round(n.prefixHitRate, 3) });
    if (n.promptTokensPerRequest !== null)
      evidence.push({ metric: 'prompt tokens per request', value: Math.round(n.promptTokensPerRequest) });
    const why = reuse ? `prefix hit rate ${round((n.prefixHitRate ?? 0) * 100, 0)}%` : 'long prompts';
    return {
      strategy: 'resource.kv-offload',
      action: { kind: 'enable_kv_offload', cpu_gib: cpuGib, ...(diskGib !== undefined ? { disk_gib: diskGib } : {}) },
      rollback: { kind: 'reconfigure_engine', changes: { 'kv-offloading-size': null } },
      expectedImpact: { usd_per_month: 0 },
      confidence: reuse ? 0.7 : 0.6,
      evidence,
      summary:
        `${n.node}: KV demand p95 ${Math.round(n.kvDemandTokensP95)} tokens over ${n.kvCapacityTokens} of capacity ` +
        `(${n.preemptions} preemptions) with ${why}; offload KV to a ${cpuGib} GiB CPU tier` +
        `${diskGib !== undefined ? ` and ${diskGib} GiB on disk` : ''} so evicted blocks reload instead of recompute.`,
      ...common,
    };
  }

  if (dtype === undefined || dtype === 'auto') {
    const evidence = baseEvidence(n, p);
    evidence.push({ metric: 'kv-cache-dtype', value: 16, unit: 'bits', note: 'auto (bf16)' });
    if (n.kvCapacityTokens !== undefined)
      evidence.push({
        metric: 'KV capacity tokens',
        value: n.kvCapacityTokens,
        note: `fp8: ~${n.kvCapacityTokens * 2}`,
      });
    return {
      strategy: 'resource.kv-cache-dtype',
      action: { kind: 'reconfigure_engine', changes: { 'kv-cache-dtype': 'fp8' } },
      rollback: { kind: 'reconfigure_engine', changes: { 'kv-cache-dtype': 'auto' } },
      expectedImpact: { usd_per_month: 0 },
      confidence: 0.6,
      evidence,
      summary:
        `${n.node}: KV short (${n.preemptions} preemptions, KV p95 ${round(n.kvUsageP95 * 100, 0)}%) with memory ` +
        `utilization already at ${util ?? 'unknown'}; fp8 KV cache doubles the KV tokens for an expected ~0.3% quality cost.`,
      ...common,
      risk: risk === 'low' ? 'medium' : risk,
    };
  }
  return undefined;
}
