import type { Candidate, Observation, PricedInstanceType } from '../agent/analysis.js';
import { round } from './candidate-parts.js';
import { utilizationOf } from './engine-memory.js';
import { kvBytesPerTokenOf } from './model-kv.js';
import type { NodeMemory } from './node-memory.js';
import { analyzeResources, resourceView } from './resource-analyzers.js';
import { resourceConfig, type ResourceConfig } from './resource-config.js';

const GiB = 1024 ** 3;

/** What the resource agent tells the other agents (published as events, never direct calls). */
export type ResourceSignal =
  | {
      kind: 'memory_pressure';
      to: 'performance';
      node: string;
      score: number;
      severity: string;
      oomEvents: number;
      kvUsageP95: number;
      preemptions: number;
    }
  | {
      kind: 'cheaper_gpu_fits';
      to: 'cost';
      node: string;
      fromInstanceType: string;
      toInstanceType: string;
      toGpuId: string;
      /** GPU memory the node needs: what is not KV now, plus the KV demand at the target usage. */
      requiredGpuMemoryGib: number;
      usdPerHourSaved: number;
    }
  | {
      kind: 'expected_throughput';
      to: 'performance';
      node: string;
      strategy: string;
      kvCapacityTokensNow: number;
      kvCapacityTokensAfter: number;
      /** Sequences that fit in KV at the observed tokens per request. */
      maxConcurrentNow: number;
      maxConcurrentAfter: number;
      generationTokensPerSNow: number;
      /** Upper bound while KV is what limits the batch: scales with the KV capacity. */
      generationTokensPerSUpperBound: number;
    };

/** Signals of one observation: pressure per node, cheaper GPUs that fit, throughput after the proposed changes. */
export function resourceSignals(obs: Observation, over: Partial<ResourceConfig> = {}): ResourceSignal[] {
  const cfg = resourceConfig(over);
  const v = resourceView(obs, cfg);
  const out: ResourceSignal[] = [];
  v.nodes.forEach((n, i) => {
    const p = v.pressures[i]!;
    if (p.severity !== 'low') {
      out.push({
        kind: 'memory_pressure',
        to: 'performance',
        node: n.node,
        score: p.score,
        severity: p.severity,
        oomEvents: p.oomEvents,
        kvUsageP95: round(n.kvUsageP95, 3),
        preemptions: n.preemptions,
      });
    }
    const cheaper = cheaperGpu(obs, n, cfg);
    if (cheaper) out.push(cheaper);
  });
  for (const c of analyzeResources(obs, cfg)) {
    for (const node of c.nodes ?? []) {
      const n = v.nodes.find((x) => x.node === node);
      const t = n ? throughputAfter(obs, n, c) : undefined;
      if (t) out.push(t);
    }
  }
  return out;
}

function cheaperGpu(obs: Observation, n: NodeMemory, cfg: ResourceConfig): ResourceSignal | undefined {
  const inv = obs.inventory.find((i) => i.node === n.node);
  const bpt = kvBytesPerTokenOf(n.model, obs.engineArgs?.[n.node]?.['kv-cache-dtype']);
  if (
    !inv ||
    bpt === undefined ||
    n.kvCapacityTokens === undefined ||
    n.kvDemandTokensP95 === null ||
    n.gpuMemoryUsedShare === null ||
    n.gpuMemoryTotalGib === null
  )
    return undefined;
  const nonKvGib = n.gpuMemoryUsedShare * n.gpuMemoryTotalGib - (n.kvCapacityTokens * bpt) / GiB;
  const requiredGib = nonKvGib + (n.kvDemandTokensP95 * bpt) / GiB / cfg.targetKvUsage;
  const fits = (t: PricedInstanceType): boolean =>
    // gpuMemoryGb is decimal GB as vendors quote it
    ((t.gpuMemoryGb * t.gpuCount * 1e9) / GiB) * cfg.targetGpuMemoryUtilization * (1 - cfg.cheaperGpuHeadroom) >=
    requiredGib;
  const best = obs.prices.instanceTypes
    .filter((t) => t.id !== inv.instanceType && t.gpuCount === inv.gpuCount && fits(t))
    .map((t) => ({ t, usd: t.usdPerHour[inv.purchaseOption] }))
    .filter((x): x is { t: PricedInstanceType; usd: number } => x.usd !== undefined && x.usd < inv.usdPerHour)
    .sort((a, b) => a.usd - b.usd)[0];
  if (!best) return undefined;
  return {
    kind: 'cheaper_gpu_fits',
    to: 'cost',
    node: n.node,
    fromInstanceType: inv.instanceType,
    toInstanceType: best.t.id,
    toGpuId: best.t.gpuId,
    requiredGpuMemoryGib: round(requiredGib, 1),
    usdPerHourSaved: round(inv.usdPerHour - best.usd, 4),
  };
}

function throughputAfter(obs: Observation, n: NodeMemory, c: Candidate): ResourceSignal | undefined {
  if (n.kvCapacityTokens === undefined) return undefined;
  const perRequest = (n.promptTokensPerRequest ?? 0) + (n.outputTokensPerRequest ?? 0);
  if (perRequest <= 0) return undefined;
  let after: number | undefined;
  const a = c.action;
  if (a.kind === 'reconfigure_engine' && a.changes['kv-cache-dtype'] === 'fp8') after = n.kvCapacityTokens * 2;
  const target = a.kind === 'reconfigure_engine' ? a.changes['gpu-memory-utilization'] : undefined;
  const util = utilizationOf(obs, n);
  const bpt = kvBytesPerTokenOf(n.model, obs.engineArgs?.[n.node]?.['kv-cache-dtype']);
  if (typeof target === 'number' && util !== null && bpt !== undefined && n.gpuMemoryTotalGib !== null) {
    after = n.kvCapacityTokens + Math.floor(((target - util) * n.gpuMemoryTotalGib * GiB) / bpt);
  }
  if (after === undefined) return undefined;
  return {
    kind: 'expected_throughput',
    to: 'performance',
    node: n.node,
    strategy: c.strategy,
    kvCapacityTokensNow: n.kvCapacityTokens,
    kvCapacityTokensAfter: after,
    maxConcurrentNow: Math.floor(n.kvCapacityTokens / perRequest),
    maxConcurrentAfter: Math.floor(after / perRequest),
    generationTokensPerSNow: round(n.generationTokensPerS, 1),
    generationTokensPerSUpperBound: round((n.generationTokensPerS * after) / n.kvCapacityTokens, 1),
  };
}
