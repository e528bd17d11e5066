import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { histogramQuantile, quantilesOf } from './histogram.js';
import { parsePrometheusText } from './prometheus-text.js';
import { engineSnapshot, histogramIncrease } from './vllm-metrics.js';

describe('gpu-edge histogram quantiles', () => {
  // worked by hand with PromQL's bucketQuantile (prometheus/promql/quantile.go):
  // start + (end - start) × (rank - count below) / (count in bucket)
  const buckets = [
    { le: 0.1, count: 10 },
    { le: 0.5, count: 60 },
    { le: 1, count: 90 },
    { le: Infinity, count: 100 },
  ];

  it('interpolates linearly inside the bucket that holds the rank', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1 + 0.4 * (40 / 50), 12); // rank 50 → 0.42
    expect(histogramQuantile(0.05, buckets)).toBeCloseTo(0.05, 12); // first bucket starts at 0
    expect(histogramQuantile(0.9, buckets)).toBeCloseTo(1, 12); // rank 90 sits on the bound
  });

  it('answers the highest finite bound for a rank in the +Inf bucket, like Prometheus', () => {
    expect(histogramQuantile(0.95, buckets)).toBe(1);
  });

  it('is null without observations or without a +Inf bucket, and refuses q outside (0, 1)', () => {
    expect(
      histogramQuantile(
        0.5,
        buckets.map((b) => ({ ...b, count: 0 }))
      )
    ).toBeNull();
    expect(histogramQuantile(0.5, buckets.slice(0, 3))).toBeNull();
    expect(() => histogramQuantile(1.5, buckets)).toThrow(/quantile must be in \(0, 1\), got 1.5/);
  });

  it('gives the TTFT quantiles of the real vLLM design-doc sample (140 requests, +Inf from _count)', () => {
    // fixtures/vllm/vllm-metrics-sample.txt, cumulative: ≤0.02:13 ≤0.04:97 ≤0.06:123 ≤0.08:138 ≤0.1:140
    // p50: rank 70 in (0.02, 0.04]: 0.02 + 0.02 × 57/84 = 33.571 ms
    // p90: rank 126 in (0.06, 0.08]: 0.06 + 0.02 × 3/15 = 64 ms
    // p95: rank 133 in (0.06, 0.08]: 0.06 + 0.02 × 10/15 = 73.333 ms
    // p99: rank 138.6 in (0.08, 0.1]: 0.08 + 0.02 × 0.6/2 = 86 ms
    const text = readFileSync(new URL('../fixtures/vllm/vllm-metrics-sample.txt', import.meta.url), 'utf8');
    const snap = engineSnapshot(parsePrometheusText(text).samples, new Date(0));
    const q = quantilesOf(histogramIncrease(undefined, snap, 'vllm:time_to_first_token_seconds'), 1000)!;
    expect(q.p50).toBeCloseTo(33.5714, 3);
    expect(q.p90).toBeCloseTo(64, 6);
    expect(q.p95).toBeCloseTo(73.3333, 3);
    expect(q.p99).toBeCloseTo(86, 6);
  });
});
