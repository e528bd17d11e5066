/**
 * Thresholds of the resource agent's analyzers. Every default names where it comes from; the
 * ones marked ASSUMED are judgement calls an operator may tune per fleet.
 */
export interface ResourceConfig {
  /** Weights of the memory-pressure score's parts; they sum to 100 so the score reads 0–100. */
  pressureWeights: { kv: number; preemption: number; waiting: number; gpuMemory: number; oom: number };
  /** KV usage p95 where the KV part of the score starts, and where it is full. */
  kvUsageLow: number;
  kvUsageHigh: number;
  /** Preempted share of finished requests at which the preemption part is full. */
  preemptionShareFull: number;
  /** Waiting requests per running one at which the waiting part is full. */
  waitingPerRunningFull: number;
  /** GPU memory used share where the GPU-memory part starts, and where it is full. */
  gpuMemoryShareLow: number;
  gpuMemoryShareHigh: number;
  /** OOM or restart events in the window at which the OOM part is full. */
  oomEventsFull: number;
  /** Severity bands of the score (seed 000 §8.4.1). */
  severity: { critical: number; high: number; medium: number };
  /** `--gpu-memory-utilization` the agent raises an undersized engine to. */
  targetGpuMemoryUtilization: number;
  /** How far below the target utilization counts as undersized. */
  utilizationSlack: number;
  /** KV usage the sizing aims at (room for bursts). */
  targetKvUsage: number;
  /** Mean prompt length that counts as long context. */
  longContextTokens: number;
  /** Prefix-cache hit rate that counts as reuse worth keeping in a lower tier. */
  prefixReuseHitRate: number;
  /** CPU tier cap as a multiple of GPU memory, and absolute (seed 000 §8.4.2). */
  cpuTierPerGpuMemory: number;
  cpuTierMaxGib: number;
  /** Disk tier cap as a multiple of GPU memory (seed 000 §8.4.2). */
  diskTierPerGpuMemory: number;
  /** Offload tier size as a multiple of the KV deficit: the deficit plus as much again for reusable prefixes. */
  offloadDeficitMultiple: number;
  /** Context limit = p95 context × margin (seed 000 §8.4.3), never below the largest request seen. */
  contextMargin: number;
  /** Propose a lower context limit only when it cuts at least this share (seed 000 §9.4.2: > 20%). */
  contextMinCut: number;
  /** Context limits are rounded up to this many tokens. */
  contextRoundTokens: number;
  /** Samples a node needs in the window before the agent judges it. */
  minSamples: number;
  /** How long verification watches a resource change, seconds. */
  verifyWindowS: number;
  /** Share of the workload's capacity at or below which a change is low risk, above which it is high (DESIGN.md). */
  lowRiskShare: number;
  highRiskShare: number;
  /** Hours per month for USD/month figures (365 × 24 / 12). */
  hoursPerMonth: number;
  /** GPU memory a cheaper GPU must leave free after weights and the KV demand. */
  cheaperGpuHeadroom: number;
}

export const DEFAULT_RESOURCE_CONFIG: ResourceConfig = {
  pressureWeights: { kv: 30, preemption: 30, waiting: 15, gpuMemory: 10, oom: 15 },
  kvUsageLow: 0.8,
  kvUsageHigh: 0.98,
  preemptionShareFull: 0.05,
  waitingPerRunningFull: 1,
  gpuMemoryShareLow: 0.92,
  gpuMemoryShareHigh: 0.98,
  oomEventsFull: 1,
  severity: { critical: 80, high: 60, medium: 40 },
  targetGpuMemoryUtilization: 0.9,
  utilizationSlack: 0.05,
  targetKvUsage: 0.85,
  longContextTokens: 3000,
  prefixReuseHitRate: 0.2,
  cpuTierPerGpuMemory: 8,
  cpuTierMaxGib: 512,
  diskTierPerGpuMemory: 32,
  offloadDeficitMultiple: 2,
  contextMargin: 1.2,
  contextMinCut: 0.2,
  contextRoundTokens: 1024,
  minSamples: 3,
  verifyWindowS: 900,
  lowRiskShare: 0.1,
  highRiskShare: 0.5,
  hoursPerMonth: 730,
  cheaperGpuHeadroom: 0.1,
};

/** Where each default comes from. */
export const RESOURCE_CONFIG_SOURCES: Record<keyof ResourceConfig, string> = {
  pressureWeights:
    'ASSUMED: seed 000 §8.4.1 names the indicators (GPU memory > 90%, swap, allocation failures, truncations) but not weights; KV usage and preemptions are vLLM V1’s direct signs of KV shortage, so they weigh most',
  kvUsageLow: 'ASSUMED: vLLM runs KV near full by design; below 80% there is slack',
  kvUsageHigh: 'ASSUMED: at ≥ 98% the next admission preempts (vLLM V1 scheduler)',
  preemptionShareFull:
    'ASSUMED: one preemption per 20 finished requests means recompute eats a visible share of prefill',
  waitingPerRunningFull: 'ASSUMED: as many waiting as running means admission is blocked',
  gpuMemoryShareLow: 'vLLM CacheConfig default gpu_memory_utilization 0.92 (shared/data/vllm/REFERENCE.md): normal',
  gpuMemoryShareHigh: 'ASSUMED: above 98% nothing is left for CUDA graphs and NCCL buffers',
  oomEventsFull: 'seed 000 §8.4.4: any OOM incident calls for prevention',
  severity: 'seed 000 §8.4.1: > 80 critical, > 60 high, > 40 medium',
  targetGpuMemoryUtilization:
    'vLLM default 0.92 less 0.02 for co-resident processes (REFERENCE.md: 0.9 in earlier versions)',
  utilizationSlack: 'ASSUMED: a smaller gap is not worth an engine restart',
  targetKvUsage: 'seed 000 §8.4.4: queue new requests above 85% memory',
  longContextTokens: 'seed 000 §9.4.1: average input > 3000 tokens is a long input',
  prefixReuseHitRate: 'ASSUMED: a 20% hit rate means evicted prefixes are worth a lower tier',
  cpuTierPerGpuMemory: 'seed 000 §8.4.2: CPU tier 8× GPU memory',
  cpuTierMaxGib: 'seed 000 §8.4.2: CPU tier ≤ 512 GB (limited by system RAM)',
  diskTierPerGpuMemory: 'seed 000 §8.4.2: disk tier 32× GPU memory',
  offloadDeficitMultiple:
    'ASSUMED: the tier keeps preempted requests’ KV (the deficit) and as much again of reusable prefixes',
  contextMargin: 'seed 000 §8.4.3: p95 + 20% buffer',
  contextMinCut: 'seed 000 §9.4.2: act when the recommendation saves > 20%',
  contextRoundTokens: 'ASSUMED: round limits to whole KiB-tokens, as operators write them',
  minSamples: 'ASSUMED: three intervals (30 s at the 10 s default) before judging a node',
  verifyWindowS: 'seed 000 §8.4.1: memory metrics over 15 minutes',
  lowRiskShare: 'DESIGN.md "Supervisor": low risk touches ≤ 10% of capacity',
  highRiskShare: 'DESIGN.md "Supervisor": high risk changes more than half the capacity',
  hoursPerMonth: '8760 hours per year / 12',
  cheaperGpuHeadroom: 'ASSUMED: 10% of the smaller GPU stays free for activations and bursts',
};

/** Merges overrides onto the defaults, refusing values that cannot work. */
export function resourceConfig(over: Partial<ResourceConfig> = {}): ResourceConfig {
  const c = { ...DEFAULT_RESOURCE_CONFIG, ...over };
  const w = c.pressureWeights;
  const sum = w.kv + w.preemption + w.waiting + w.gpuMemory + w.oom;
  if (Math.abs(sum - 100) > 1e-9) throw new Error(`resource config pressureWeights: must sum to 100, got ${sum}`);
  for (const k of ['targetGpuMemoryUtilization', 'targetKvUsage', 'kvUsageLow', 'kvUsageHigh'] as const) {
    if (!(c[k] > 0 && c[k] <= 1)) throw new Error(`resource config ${k}: must be in (0, 1], got ${c[k]}`);
  }
  if (!(c.kvUsageLow < c.kvUsageHigh)) throw new Error('resource config kvUsageLow: must be below kvUsageHigh');
  if (!(c.contextMargin >= 1)) throw new Error(`resource config contextMargin: must be ≥ 1, got ${c.contextMargin}`);
  return c;
}
