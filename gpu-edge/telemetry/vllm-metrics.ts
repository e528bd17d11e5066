import { normalizeBuckets, quantilesOf, type Bucket, type Quantiles } from './histogram.js';
import type { Sample } from './prometheus-text.js';
import { normalizeVllmNames } from './vllm-names.js';

/**
 * vLLM `/metrics` → engine state and rates over the window between two scrapes. Every metric
 * carries an `engine` label (data-parallel engine index); engines are summed after per-series
 * deltas, so one engine restarting (its counters reset) does not corrupt the others.
 */

export interface EngineSnapshot {
  atMs: number;
  /**
   * When the engine produced these values, if the samples say (the Prometheus API stamps each
   * with its scrape time; vLLM's own `/metrics` does not). Windows then span these times, since
   * Prometheus's data lags the moment it is asked by up to one scrape interval.
   */
  sampledAtMs?: number;
  /** Series key → sample, names already normalized to current vLLM names. */
  series: Map<string, Sample>;
  model: string | undefined;
}

export function seriesKey(name: string, labels: Record<string, string>, omit?: string): string {
  const parts = Object.keys(labels)
    .filter((k) => k !== omit)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/** Builds a snapshot from parsed samples (Prometheus text or the Prometheus API). */
export function engineSnapshot(samples: readonly Sample[], at: Date): EngineSnapshot {
  const { samples: normalized } = normalizeVllmNames(samples);
  const series = new Map<string, Sample>();
  let model: string | undefined;
  let sampledAtMs: number | undefined = -Infinity;
  for (const s of normalized) {
    if (!s.name.startsWith('vllm:')) continue;
    series.set(seriesKey(s.name, s.labels), s);
    model ??= s.labels.model_name;
    sampledAtMs =
      s.timestampMs === undefined || sampledAtMs === undefined ? undefined : Math.max(sampledAtMs, s.timestampMs);
  }
  const snap: EngineSnapshot = { atMs: at.getTime(), series, model };
  if (sampledAtMs !== undefined && Number.isFinite(sampledAtMs)) snap.sampledAtMs = sampledAtMs;
  return snap;
}

function family(snap: EngineSnapshot, name: string): Sample[] {
  const out: Sample[] = [];
  for (const s of snap.series.values()) if (s.name === name) out.push(s);
  return out;
}

function sum(samples: readonly Sample[]): number {
  return samples.reduce((acc, s) => acc + (Number.isFinite(s.value) ? s.value : 0), 0);
}

/** `_created` (the series' start time) changed, or the value went down: the engine restarted. */
function wasReset(
  prev: EngineSnapshot,
  cur: EngineSnapshot,
  createdKey: string,
  prevValue: number,
  curValue: number
): boolean {
  const pc = prev.series.get(createdKey)?.value;
  const cc = cur.series.get(createdKey)?.value;
  return curValue < prevValue || (pc !== undefined && cc !== undefined && pc !== cc);
}

/** Increase of a counter family over the window, summed over its series. A series new in `cur` started at 0. */
function increase(prev: EngineSnapshot, cur: EngineSnapshot, name: string): number | undefined {
  const samples = family(cur, name);
  if (samples.length === 0) return undefined;
  const base = name.replace(/_total$/, '');
  let total = 0;
  for (const s of samples) {
    const before = prev.series.get(seriesKey(s.name, s.labels))?.value;
    if (before === undefined) {
      total += s.value;
      continue;
    }
    const reset = wasReset(prev, cur, seriesKey(`${base}_created`, s.labels), before, s.value);
    total += reset ? s.value : s.value - before;
  }
  return total;
}

/** Bucket increases of a histogram family over the window, summed over engines by `le`. */
export function histogramIncrease(prev: EngineSnapshot | undefined, cur: EngineSnapshot, name: string): Bucket[] {
  // group the buckets of each series (labels without le), so a reset is judged per series
  const groups = new Map<string, { labels: Record<string, string>; buckets: Sample[] }>();
  for (const s of family(cur, `${name}_bucket`)) {
    const key = seriesKey(name, s.labels, 'le');
    const g = groups.get(key) ?? { labels: s.labels, buckets: [] };
    g.buckets.push(s);
    groups.set(key, g);
  }
  const byLe = new Map<number, number>();
  for (const { labels, buckets } of groups.values()) {
    const { le: _le, ...seriesLabels } = labels;
    const countKey = seriesKey(`${name}_count`, seriesLabels);
    const curCount = cur.series.get(countKey)?.value;
    const prevCount = prev?.series.get(countKey)?.value;
    const before = (b: Sample): number => prev?.series.get(seriesKey(b.name, b.labels))?.value ?? 0;
    // no earlier sample of this series: everything it holds happened since it started
    const reset =
      prev === undefined ||
      prevCount === undefined ||
      (curCount !== undefined &&
        wasReset(prev, cur, seriesKey(`${name}_created`, seriesLabels), prevCount, curCount)) ||
      buckets.some((b) => b.value < before(b));
    const entries: Bucket[] = buckets.map((b) => ({
      le: b.labels.le === '+Inf' ? Infinity : Number(b.labels.le),
      count: b.value - (reset ? 0 : before(b)),
    }));
    // some exporters (and elided samples) omit le="+Inf": _count is its value
    if (!entries.some((e) => e.le === Infinity) && curCount !== undefined) {
      entries.push({ le: Infinity, count: curCount - (reset ? 0 : (prevCount ?? 0)) });
    }
    for (const e of entries) {
      if (Number.isNaN(e.le)) continue;
      byLe.set(e.le, (byLe.get(e.le) ?? 0) + e.count);
    }
  }
  return normalizeBuckets([...byLe].map(([le, count]) => ({ le, count })));
}

export interface EngineWindow {
  model: string;
  /** Data-parallel engines seen (distinct `engine` label values; 1 for old servers without it). */
  engines: number;
  window_s: number;
  requests_running: number;
  requests_waiting: number;
  kv_cache_usage: number;
  kv_capacity_tokens: number | undefined;
  prefix_cache_hit_rate: number | null;
  prompt_tokens_per_s: number;
  generation_tokens_per_s: number;
  preemptions_total: number;
  preemptions_in_window: number;
  request_success_total: Record<string, number>;
  ttft_ms: Quantiles | null;
  itl_ms: Quantiles | null;
  e2e_ms: Quantiles | null;
}

/** KV capacity per engine (num_gpu_blocks × block_size from `vllm:cache_config_info` labels). */
function kvCapacityByEngine(cur: EngineSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of family(cur, 'vllm:cache_config_info')) {
    const blocks = Number(s.labels.num_gpu_blocks);
    const blockSize = Number(s.labels.block_size);
    if (Number.isFinite(blocks) && Number.isFinite(blockSize) && blocks > 0 && blockSize > 0) {
      out.set(s.labels.engine ?? '', blocks * blockSize);
    }
  }
  return out;
}

/** Usage over all engines, weighted by each engine's KV capacity when known; clamped to [0, 1]. */
function kvUsage(cur: EngineSnapshot, capacity: Map<string, number>): number {
  const usage = family(cur, 'vllm:kv_cache_usage_perc').filter((s) => Number.isFinite(s.value));
  if (usage.length === 0) return 0;
  const weights = usage.map((s) => capacity.get(s.labels.engine ?? ''));
  const weighted = weights.every((w) => w !== undefined);
  let num = 0;
  let den = 0;
  usage.forEach((s, i) => {
    const w = weighted ? weights[i]! : 1;
    num += s.value * w;
    den += w;
  });
  return Math.min(1, Math.max(0, num / den));
}

function round(n: number): number {
  return Math.max(0, Math.round(n));
}

/**
 * The window between two snapshots of the same server. Throws when `cur` holds no vLLM
 * engine metrics (the endpoint is something else), so the caller reports the scrape as failed.
 */
export function deriveEngineWindow(prev: EngineSnapshot, cur: EngineSnapshot): EngineWindow {
  const running = family(cur, 'vllm:num_requests_running');
  if (running.length === 0) throw new Error('no vllm:num_requests_running in the scrape: not a vLLM metrics endpoint');
  const sampled = prev.sampledAtMs !== undefined && cur.sampledAtMs !== undefined;
  const windowS = (sampled ? cur.sampledAtMs! - prev.sampledAtMs! : cur.atMs - prev.atMs) / 1000;
  if (!(windowS > 0)) throw new Error(`scrapes are not in time order (window ${windowS} s)`);
  const capacity = kvCapacityByEngine(cur);
  const hits = increase(prev, cur, 'vllm:prefix_cache_hits_total');
  const queries = increase(prev, cur, 'vllm:prefix_cache_queries_total');
  const success: Record<string, number> = {};
  for (const s of family(cur, 'vllm:request_success_total')) {
    const reason = s.labels.finished_reason ?? 'unknown';
    success[reason] = (success[reason] ?? 0) + round(s.value);
  }
  const engines = new Set(running.map((s) => s.labels.engine ?? ''));
  return {
    model: cur.model ?? 'unknown',
    engines: engines.size,
    window_s: windowS,
    requests_running: round(sum(running)),
    requests_waiting: round(sum(family(cur, 'vllm:num_requests_waiting'))),
    kv_cache_usage: kvUsage(cur, capacity),
    kv_capacity_tokens: capacity.size > 0 ? [...capacity.values()].reduce((a, b) => a + b, 0) : undefined,
    prefix_cache_hit_rate:
      hits === undefined || queries === undefined || queries <= 0 ? null : Math.min(1, Math.max(0, hits / queries)),
    prompt_tokens_per_s: Math.max(0, (increase(prev, cur, 'vllm:prompt_tokens_total') ?? 0) / windowS),
    generation_tokens_per_s: Math.max(0, (increase(prev, cur, 'vllm:generation_tokens_total') ?? 0) / windowS),
    preemptions_total: round(sum(family(cur, 'vllm:num_preemptions_total'))),
    preemptions_in_window: round(increase(prev, cur, 'vllm:num_preemptions_total') ?? 0),
    request_success_total: success,
    ttft_ms: quantilesOf(histogramIncrease(prev, cur, 'vllm:time_to_first_token_seconds'), 1000),
    itl_ms: quantilesOf(histogramIncrease(prev, cur, 'vllm:inter_token_latency_seconds'), 1000),
    e2e_ms: quantilesOf(histogramIncrease(prev, cur, 'vllm:e2e_request_latency_seconds'), 1000),
  };
}
