import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.js';
import { deriveEngineWindow, engineSnapshot, type EngineSnapshot } from './vllm-metrics.js';
import { normalizeVllmNames } from './vllm-names.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/vllm/${name}`, import.meta.url), 'utf8');
const snap = (name: string, atMs: number): EngineSnapshot =>
  engineSnapshot(parsePrometheusText(fixture(name)).samples, new Date(atMs));

const T0 = 'constructed-v1-2engines-t0.txt';
const T1 = 'constructed-v1-2engines-t1.txt';
const T2 = 'constructed-v1-2engines-t2-engine1-restarted.txt';

describe('gpu-edge vllm metrics', () => {
  // The constructed fixtures' deltas are listed in fixtures/SOURCE.md; each figure below is worked
  // from them by hand, quantiles with PromQL's bucketQuantile rule.
  const w = deriveEngineWindow(snap(T0, 0), snap(T1, 15_000));

  it('sums gauges and counters over the engine label and turns counters into rates', () => {
    expect(w.engines).toBe(2);
    expect(w.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(w.window_s).toBe(15);
    expect(w.requests_running).toBe(21); // 12 + 9
    expect(w.requests_waiting).toBe(3); // 3 + 0
    expect(w.prompt_tokens_per_s).toBeCloseTo(300, 9); // (3000 + 1500) / 15
    expect(w.generation_tokens_per_s).toBeCloseTo(200, 9); // (1800 + 1200) / 15
    expect(w.preemptions_total).toBe(9); // 7 + 2, cumulative
    expect(w.preemptions_in_window).toBe(2);
    expect(w.request_success_total).toEqual({ stop: 780, length: 35, abort: 1 });
  });

  it('derives KV capacity from cache_config_info and weights KV usage by it', () => {
    expect(w.kv_capacity_tokens).toBe(864_000); // 2 engines × 27000 blocks × 16 tokens
    expect(w.kv_cache_usage).toBeCloseTo(0.5, 12); // (0.62 + 0.38) / 2 at equal capacity
  });

  it('computes the prefix cache hit rate over the window from the current names only', () => {
    // tokens: (1200 + 600) / (2000 + 2000) = 0.45; the deprecated block-counted series (140/250)
    // exposed beside them must not be added in, which would give 0.4565
    expect(w.prefix_cache_hit_rate).toBeCloseTo(0.45, 12);
  });

  it('computes window quantiles from bucket deltas summed over engines', () => {
    // TTFT Δ: 20 in (0.04,0.06], 40 in (0.06,0.08], 30 in (0.08,0.1], 10 in (0.1,0.25]
    expect(w.ttft_ms!.p50).toBeCloseTo(75, 9); // rank 50: 0.06 + 0.02 × 30/40
    expect(w.ttft_ms!.p90).toBeCloseTo(100, 9); // rank 90 on the 0.1 bound
    expect(w.ttft_ms!.p95).toBeCloseTo(175, 9); // rank 95: 0.1 + 0.15 × 5/10
    expect(w.ttft_ms!.p99).toBeCloseTo(235, 9); // rank 99: 0.1 + 0.15 × 9/10
    // ITL Δ: 1450 ≤0.025, 1160 in (0.025,0.05], 261 in (0.05,0.075], 29 in (0.075,0.1]
    expect(w.itl_ms!.p50).toBeCloseTo(25, 9);
    expect(w.itl_ms!.p90).toBeCloseTo(50, 9);
    expect(w.itl_ms!.p95).toBeCloseTo(50 + (25 * 145) / 261, 9); // 63.889
    expect(w.itl_ms!.p99).toBeCloseTo(75, 9);
    // E2E Δ: 10 in (1.5,2], 30 in (2,2.5], 50 in (2.5,5], 10 in (5,10]
    expect(w.e2e_ms).toEqual({
      p50: expect.closeTo(3000, 6),
      p90: expect.closeTo(5000, 6),
      p95: expect.closeTo(7500, 6),
      p99: expect.closeTo(9500, 6),
    });
  });

  it('handles one engine restarting: its counters and histograms count from zero, the other engine is unaffected', () => {
    const r = deriveEngineWindow(snap(T1, 15_000), snap(T2, 30_000));
    expect(r.prompt_tokens_per_s).toBeCloseTo((1500 + 500) / 15, 9); // engine 1 reset: its 500 all new
    expect(r.generation_tokens_per_s).toBeCloseTo((1000 + 450) / 15, 9);
    expect(r.prefix_cache_hit_rate).toBeCloseTo((300 + 100) / (1000 + 600), 12);
    expect(r.preemptions_total).toBe(7); // 7 + 0 after the restart
    // TTFT: engine 0 Δ 10 in (0.04,0.06]; engine 1 since restart 2 in (0.02,0.04], 3 in (0.04,0.06]
    expect(r.ttft_ms!.p50).toBeCloseTo(40 + (20 * 5.5) / 13, 9); // rank 7.5: 48.46 ms
    expect(r.ttft_ms!.p99).toBeCloseTo(40 + (20 * 12.85) / 13, 9);
  });

  it('detects a restart from _created even when the counter has grown past its old value', () => {
    const t1 = parsePrometheusText(fixture(T1)).samples;
    const later = t1.map((s) =>
      s.name === 'vllm:prompt_tokens_total' && s.labels.engine === '1'
        ? { ...s, value: 95_000 } // > 91500, but a new process
        : s.name === 'vllm:prompt_tokens_created' && s.labels.engine === '1'
          ? { ...s, value: 1_764_020_000 }
          : s
    );
    const r = deriveEngineWindow(engineSnapshot(t1, new Date(0)), engineSnapshot(later, new Date(10_000)));
    expect(r.prompt_tokens_per_s).toBeCloseTo(95_000 / 10, 9); // not (95000 - 91500) / 10
  });

  it('has null quantiles and hit rate for a window without requests', () => {
    const r = deriveEngineWindow(snap(T1, 0), snap(T1, 10_000));
    expect(r.ttft_ms).toBeNull();
    expect(r.itl_ms).toBeNull();
    expect(r.e2e_ms).toBeNull();
    expect(r.prefix_cache_hit_rate).toBeNull();
    expect(r.prompt_tokens_per_s).toBe(0);
  });

  it('reads the real V0-era AIBrix sample through the old names', () => {
    // fixtures/vllm/vllm-metrics-sample-aibrix-v0.txt: num_gpu_blocks 81767, block_size 16,
    // vllm:gpu_cache_usage_perc 0.0, request_success stop 4, no engine label
    const r = deriveEngineWindow(
      snap('vllm-metrics-sample-aibrix-v0.txt', 0),
      snap('vllm-metrics-sample-aibrix-v0.txt', 5000)
    );
    expect(r.model).toBe('Qwen/Qwen2.5-Coder-1.5B-Instruct');
    expect(r.engines).toBe(1);
    expect(r.kv_capacity_tokens).toBe(81767 * 16);
    expect(r.kv_cache_usage).toBe(0);
    expect(r.request_success_total).toEqual({ stop: 4 });
    expect(r.prefix_cache_hit_rate).toBeNull(); // V0 exposes only a hit-rate gauge (-1 here)
  });

  it('maps every renamed family of REFERENCE.md §2.2 and drops V0-only ones', () => {
    const { samples, renamed } = normalizeVllmNames(
      parsePrometheusText(
        [
          'vllm:gpu_cache_usage_perc{model_name="m"} 0.25',
          'vllm:gpu_prefix_cache_queries_total{model_name="m"} 10',
          'vllm:gpu_prefix_cache_hits_total{model_name="m"} 4',
          'vllm:time_per_output_token_seconds_bucket{le="0.05",model_name="m"} 3',
          'vllm:time_per_output_token_seconds_count{model_name="m"} 3',
          'vllm:num_requests_swapped{model_name="m"} 0',
          'vllm:cpu_cache_usage_perc{model_name="m"} 0',
          'vllm:gpu_prefix_cache_hit_rate{model_name="m"} -1',
          'vllm:avg_prompt_throughput_toks_per_s{model_name="m"} 12.5',
        ].join('\n')
      ).samples
    );
    expect(samples.map((s) => s.name)).toEqual([
      'vllm:kv_cache_usage_perc',
      'vllm:prefix_cache_queries_total',
      'vllm:prefix_cache_hits_total',
      'vllm:inter_token_latency_seconds_bucket',
      'vllm:inter_token_latency_seconds_count',
    ]);
    expect(renamed).toHaveLength(4);
  });

  it('refuses a scrape without vLLM engine metrics, and scrapes out of time order', () => {
    const other = engineSnapshot(parsePrometheusText('up 1\n').samples, new Date(10_000));
    expect(() => deriveEngineWindow(snap(T0, 0), other)).toThrow(/no vllm:num_requests_running/);
    expect(() => deriveEngineWindow(snap(T0, 10_000), snap(T1, 10_000))).toThrow(/not in time order/);
  });
});
