import { describe, expect, it } from 'vitest';
import { FEATURES, FEATURE_DIM, featureVector, l2, situationOf } from './index.js';
import { BASE } from './memory.conformance.js';

describe('actors memory features', () => {
  it('normalises each feature by its documented scale into [0, 1]', () => {
    const v = featureVector({
      ...BASE,
      gpu_util_pct: 50,
      requests_per_s: 99,
      prompt_tokens_per_request: 2 ** 17 - 1,
      hour_of_day: 12,
    });
    expect(v).toHaveLength(FEATURE_DIM);
    const at = (name: string): number => v[FEATURES.findIndex((f) => f.name === name)]!;
    expect(at('gpu_util_pct')).toBeCloseTo(0.5, 12); // ÷ 100
    expect(at('requests_per_s')).toBeCloseTo(0.5, 12); // log10(100) ÷ 4
    expect(at('prompt_tokens_per_request')).toBeCloseTo(1, 12); // log2(2^17) ÷ 17
    expect(at('hour_of_day')).toBeCloseTo(0, 12); // noon
    expect(featureVector({ ...BASE, waiting_per_running: 50 })[3]).toBe(1); // clipped
    expect(v.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(l2(v, v)).toBe(0);
  });

  it('refuses a missing feature by name', () => {
    const { quality_score: _, ...rest } = BASE;
    expect(() => featureVector(rest as typeof BASE)).toThrow(/quality_score must be a finite number/);
  });

  it('reads the situation from an observation’s intervals', () => {
    const point = {
      ts: 0,
      replicasUp: 3,
      replicasSeen: 4,
      requestsPerS: 10,
      promptTokensPerS: 10_000,
      generationTokensPerS: 2_000,
      running: 20,
      waiting: 10,
      kvUsageMean: 0.4,
      kvUsageMax: 0.9,
      preemptions: 5,
      ttftP95Ms: 800,
      ttftP99Ms: 900,
      itlP95Ms: 30,
      e2eP95Ms: 5000,
      gpuUtilPct: 70,
      usdPerHour: 36,
    };
    const s = situationOf({
      workload: 'w',
      now: Date.parse('2026-11-24T06:00:00Z'),
      windowMs: 300_000,
      engine: [],
      gpu: [],
      cost: [],
      app: [],
      history: [point, { ...point, ts: 10_000 }],
      inventory: [],
      spec: {
        workload: 'w',
        name: 'w',
        model: 'm',
        engine: 'vllm',
        mode: 'advisory',
        privacy_tier: 1,
        slo: { attainment: 0.99, ttft_p95_ms: 1000 },
        constraints: { spot_allowed: false },
        labels: {},
      },
      prices: { instanceTypes: [] },
    });
    expect(s).toMatchObject({
      kv_usage_max: 0.9,
      prompt_tokens_per_request: 1000, // 20,000 tokens/s ÷ 20 requests/s over the two points
      output_tokens_per_request: 200,
      waiting_per_running: 0.5,
      ttft_p95_over_slo: 0.8,
      replicas_up_share: 0.75,
      hour_of_day: 6,
    });
    // 10 preemptions over 2 × 10 requests/s × 10 s interval
    expect(s.preemptions_per_request).toBeCloseTo(10 / 200, 12);
  });
});
