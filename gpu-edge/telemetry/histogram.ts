/**
 * Quantiles from a cumulative histogram the way PromQL's `histogram_quantile` computes them
 * (prometheus/promql/quantile.go, bucketQuantile): find the bucket holding rank q × total and
 * interpolate linearly inside it; the first bucket starts at 0; a rank in the +Inf bucket
 * answers the highest finite bound.
 */

/** One cumulative bucket: observations ≤ `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/** Sorted by bound, with counts made monotonic (scrapes of separate series can disagree by a hair). */
export function normalizeBuckets(buckets: readonly Bucket[]): Bucket[] {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  let max = 0;
  return sorted.map((b) => {
    max = Math.max(max, b.count);
    return { le: b.le, count: max };
  });
}

/** The q-quantile (0 < q < 1) or null when the histogram holds no observation or no +Inf bucket. */
export function histogramQuantile(q: number, input: readonly Bucket[]): number | null {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be in (0, 1), got ${q}`);
  const buckets = normalizeBuckets(input);
  if (buckets.length < 2 || buckets[buckets.length - 1]!.le !== Infinity) return null;
  const total = buckets[buckets.length - 1]!.count;
  if (total <= 0) return null;
  let rank = q * total;
  let b = buckets.findIndex((x, i) => i < buckets.length - 1 && x.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (buckets[b]!.le - start) * (rank / count);
}

export interface Quantiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** p50/p90/p95/p99 scaled by `scale` (1000 turns seconds into ms); null without observations. */
export function quantilesOf(buckets: readonly Bucket[], scale = 1): Quantiles | null {
  const at = (q: number): number | null => histogramQuantile(q, buckets);
  const [p50, p90, p95, p99] = [at(0.5), at(0.9), at(0.95), at(0.99)];
  if (p50 === null || p90 === null || p95 === null || p99 === null) return null;
  return { p50: p50 * scale, p90: p90 * scale, p95: p95 * scale, p99: p99 * scale };
}
