import type { EngineTelemetry } from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';

type EngineUp = Extract<EngineTelemetry, { up: true }>;

/** What one node's memory looked like over the observation window. */
export interface NodeMemory {
  node: string;
  model: string;
  /** Engine samples with up=true in the window. */
  samples: number;
  /** Samples with up=false (failed scrapes: crash, OOM kill, restart). */
  downSamples: number;
  /** Cumulative counters that went backwards: the engine restarted. */
  restarts: number;
  kvUsageMean: number;
  kvUsageP95: number;
  kvCapacityTokens: number | undefined;
  /** Preemptions in the window, from the cumulative counter. */
  preemptions: number;
  /** Requests finished in the window, from the cumulative counters. */
  finished: number;
  runningMean: number;
  runningMax: number;
  waitingMean: number;
  waitingMax: number;
  /** Mean prompt and output tokens per finished request; null without finished requests. */
  promptTokensPerRequest: number | null;
  outputTokensPerRequest: number | null;
  /** Mean prefix-cache hit rate over samples that had queries; null without any. */
  prefixHitRate: number | null;
  /** KV tokens in use plus what the waiting queue would need, p95 over samples; null without capacity. */
  kvDemandTokensP95: number | null;
  /** Highest used share of GPU memory over the node's GPUs and samples; null without GPU telemetry. */
  gpuMemoryUsedShare: number | null;
  /** GPU memory of the node's GPUs summed, GiB; null without GPU telemetry. */
  gpuMemoryTotalGib: number | null;
  gpuCount: number;
  generationTokensPerS: number;
  windowS: number;
}

const GiB = 1024 ** 3;

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

const finishedOf = (d: EngineUp): number => Object.values(d.request_success_total).reduce((a, b) => a + b, 0);

/** Per-node memory view of the window; nodes sorted by name. */
export function nodeMemory(obs: Observation): NodeMemory[] {
  const since = obs.now - obs.windowMs;
  const byNode = new Map<string, Array<{ ts: number; data: EngineTelemetry }>>();
  for (const s of obs.engine) {
    if (s.ts <= since || s.data.workload !== obs.workload) continue;
    const list = byNode.get(s.data.node) ?? [];
    list.push(s);
    byNode.set(s.data.node, list);
  }
  const out: NodeMemory[] = [];
  for (const [node, list] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.ts - b.ts);
    const ups = list.map((s) => s.data).filter((d): d is EngineUp => d.up);
    let restarts = 0;
    let preemptions = 0;
    let finished = 0;
    let promptTokens = 0;
    let outputTokens = 0;
    for (let i = 1; i < ups.length; i++) {
      const a = ups[i - 1]!;
      const b = ups[i]!;
      const dPre = b.preemptions_total - a.preemptions_total;
      const dFin = finishedOf(b) - finishedOf(a);
      // a counter going backwards means the engine restarted; its new value is what came since
      if (dPre < 0 || dFin < 0) {
        restarts++;
        preemptions += b.preemptions_total;
        finished += finishedOf(b);
      } else {
        preemptions += dPre;
        finished += dFin;
      }
      promptTokens += b.prompt_tokens_per_s * b.window_s;
      outputTokens += b.generation_tokens_per_s * b.window_s;
    }
    const capacity = ups.findLast((d) => d.kv_capacity_tokens !== undefined)?.kv_capacity_tokens;
    const perRequest = finished > 0 ? (promptTokens + outputTokens) / finished : null;
    const demand =
      capacity === undefined
        ? null
        : percentile(
            ups.map((d) => d.kv_cache_usage * capacity + d.requests_waiting * (perRequest ?? 0)),
            95
          );
    const hits = ups.map((d) => d.prefix_cache_hit_rate).filter((h): h is number => typeof h === 'number');
    const gpu = gpuOf(obs, node, since);
    out.push({
      node,
      model: list.at(-1)!.data.model,
      samples: ups.length,
      downSamples: list.length - ups.length,
      restarts,
      kvUsageMean: mean(ups.map((d) => d.kv_cache_usage)),
      kvUsageP95: percentile(
        ups.map((d) => d.kv_cache_usage),
        95
      ),
      kvCapacityTokens: capacity,
      preemptions,
      finished,
      runningMean: mean(ups.map((d) => d.requests_running)),
      runningMax: Math.max(0, ...ups.map((d) => d.requests_running)),
      waitingMean: mean(ups.map((d) => d.requests_waiting)),
      waitingMax: Math.max(0, ...ups.map((d) => d.requests_waiting)),
      promptTokensPerRequest: finished > 0 ? promptTokens / finished : null,
      outputTokensPerRequest: finished > 0 ? outputTokens / finished : null,
      prefixHitRate: hits.length > 0 ? mean(hits) : null,
      kvDemandTokensP95: demand,
      gpuMemoryUsedShare: gpu.usedShare,
      gpuMemoryTotalGib: gpu.totalGib,
      gpuCount: gpu.count,
      generationTokensPerS: mean(ups.map((d) => d.generation_tokens_per_s)),
      windowS: ups.slice(1).reduce((a, d) => a + d.window_s, 0),
    });
  }
  return out;
}

function gpuOf(
  obs: Observation,
  node: string,
  since: number
): { usedShare: number | null; totalGib: number | null; count: number } {
  let usedShare: number | null = null;
  let totalGib: number | null = null;
  let count = 0;
  for (const s of obs.gpu) {
    if (s.ts <= since || s.data.node !== node) continue;
    for (const g of s.data.gpus) usedShare = Math.max(usedShare ?? 0, g.memory_used_mib / g.memory_total_mib);
    totalGib = s.data.gpus.reduce((a, g) => a + (g.memory_total_mib * 2 ** 20) / GiB, 0);
    count = s.data.gpus.length;
  }
  return { usedShare, totalGib, count };
}
