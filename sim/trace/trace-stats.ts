import type { RequestSource } from './sim-request.js';

export interface TokenStats {
  mean: number;
  p50: number;
  p99: number;
}

export interface TraceSummary {
  requests: number;
  /** Last arrival minus first arrival. */
  durationSec: number;
  promptTokens: TokenStats;
  outputTokens: TokenStats;
  /** Most arrivals in one minute, minutes counted from the first arrival. */
  peakPerMinute: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function statsOf(values: number[]): TokenStats {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of values) sum += v;
  return { mean: values.length ? sum / values.length : 0, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

export async function summarizeTrace(source: RequestSource): Promise<TraceSummary> {
  const prompt: number[] = [];
  const output: number[] = [];
  const perMinute = new Map<number, number>();
  let first: number | undefined;
  let last = 0;
  for await (const r of source) {
    first ??= r.arrivalSec;
    last = r.arrivalSec;
    prompt.push(r.promptTokens);
    output.push(r.outputTokens);
    const minute = Math.floor((r.arrivalSec - first) / 60);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  let peak = 0;
  for (const c of perMinute.values()) peak = Math.max(peak, c);
  return {
    requests: prompt.length,
    durationSec: first === undefined ? 0 : last - first,
    promptTokens: statsOf(prompt),
    outputTokens: statsOf(output),
    peakPerMinute: peak,
  };
}
