import { describe, expect, it } from 'vitest';
import { EngineModel, buckets125, formatValue } from './index.js';

function metricsAfterRun(): { text: string; engine: EngineModel } {
  const engine = new EngineModel({
    model: 'llama-3.1-8b',
    gpu: 'H100-SXM',
    servedModelName: 'meta-llama/Llama-3.1-8B-Instruct',
  });
  for (let i = 0; i < 20; i++) {
    engine.advanceTo(i * 0.05);
    engine.addRequest({
      id: `r${i}`,
      arrivalSec: i * 0.05,
      promptTokens: 300,
      outputTokens: 40,
      finishReason: i % 2 ? 'stop' : 'length',
    });
  }
  engine.drain();
  return { text: engine.renderMetrics(), engine };
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  if (!line) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('sim/engine /metrics', () => {
  // Current V1 names, shared/data/vllm/REFERENCE.md §2.1
  const REFERENCE_NAMES = [
    'vllm:num_requests_running',
    'vllm:num_requests_waiting',
    'vllm:kv_cache_usage_perc',
    'vllm:prefix_cache_queries_total',
    'vllm:prefix_cache_hits_total',
    'vllm:num_preemptions_total',
    'vllm:prompt_tokens_total',
    'vllm:generation_tokens_total',
    'vllm:request_success_total',
    'vllm:request_prompt_tokens',
    'vllm:request_generation_tokens',
    'vllm:iteration_tokens_total',
    'vllm:time_to_first_token_seconds',
    'vllm:inter_token_latency_seconds',
    'vllm:request_time_per_output_token_seconds',
    'vllm:e2e_request_latency_seconds',
    'vllm:request_queue_time_seconds',
    'vllm:request_inference_time_seconds',
    'vllm:request_prefill_time_seconds',
    'vllm:request_decode_time_seconds',
    'vllm:cache_config_info',
    'vllm:engine_sleep_state',
  ];

  it('exposes every current metric name with model_name and engine labels', () => {
    const { text } = metricsAfterRun();
    for (const name of REFERENCE_NAMES) expect(text).toContain(`# TYPE ${name} `);
    const series = text.split('\n').filter((l) => l.startsWith('vllm:') && !l.startsWith('vllm:cache_config_info'));
    expect(series.length).toBeGreaterThan(100);
    for (const l of series) expect(l).toMatch(/\{.*engine="0".*model_name="meta-llama\/Llama-3.1-8B-Instruct".*\} /);
    // renamed/removed names (§2.2) must not appear
    for (const old of [
      'vllm:gpu_cache_usage_perc',
      'vllm:time_per_output_token_seconds',
      'vllm:num_requests_swapped',
    ]) {
      expect(text).not.toContain(old);
    }
  });

  it('counts what the engine did: requests by finish reason, tokens, TTFT observations', () => {
    const { text, engine } = metricsAfterRun();
    expect(sample(text, 'vllm:request_success_total', { finished_reason: 'length' })).toBe(10);
    expect(sample(text, 'vllm:request_success_total', { finished_reason: 'stop' })).toBe(10);
    expect(sample(text, 'vllm:prompt_tokens_total')).toBe(20 * 300);
    expect(sample(text, 'vllm:generation_tokens_total')).toBe(20 * 40);
    expect(sample(text, 'vllm:time_to_first_token_seconds_count')).toBe(20);
    expect(sample(text, 'vllm:inter_token_latency_seconds_count')).toBe(20 * 39);
    expect(sample(text, 'vllm:time_to_first_token_seconds_bucket', { le: '+Inf' })).toBe(20);
    expect(sample(text, 'vllm:num_requests_running')).toBe(0);
    expect(sample(text, 'vllm:kv_cache_usage_perc')).toBe(0);
    expect(engine.metrics.ttft.sum).toBeCloseTo(sample(text, 'vllm:time_to_first_token_seconds_sum'), 9);
  });

  it('writes histograms with vLLM buckets and cumulative counts, as prometheus_client does', () => {
    const { text } = metricsAfterRun();
    const les = text
      .split('\n')
      .filter((l) => l.startsWith('vllm:time_to_first_token_seconds_bucket'))
      .map((l) => /le="([^"]+)"/.exec(l)![1]);
    // vllm/v1/metrics/loggers.py TTFT buckets
    expect(les.slice(0, 4)).toEqual(['0.001', '0.005', '0.01', '0.02']);
    expect(les.slice(-3)).toEqual(['640.0', '2560.0', '+Inf']);
    const counts = text
      .split('\n')
      .filter((l) => l.startsWith('vllm:e2e_request_latency_seconds_bucket'))
      .map((l) => Number(l.split(' ')[1]));
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
  });

  it('publishes the cache config labels a scraper derives KV capacity from', () => {
    const { text, engine } = metricsAfterRun();
    const line = text.split('\n').find((l) => l.startsWith('vllm:cache_config_info{'))!;
    expect(line).toContain('block_size="16"');
    expect(line).toContain(`num_gpu_blocks="${engine.config.memory.numGpuBlocks}"`);
    expect(line).toContain('cache_dtype="auto"');
    expect(line).toContain('gpu_memory_utilization="0.92"');
    expect(line).toContain('enable_prefix_caching="True"');
    expect(line).toContain('engine="0"');
    expect(line.endsWith(' 1.0')).toBe(true);
  });

  it('formats numbers like Python prometheus_client', () => {
    expect(formatValue(8)).toBe('8.0');
    expect(formatValue(0.001)).toBe('0.001');
    expect(formatValue(Infinity)).toBe('+Inf');
    // shared/data/vllm-metrics/vllm-metrics-sample-aibrix-v0.txt prints 1.7382173358407154e+09
    expect(formatValue(1738217335.8407154)).toBe('1.7382173358407154e+09');
    expect(formatValue(1e-7)).toBe('1e-07');
    expect(buckets125(100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });
});
