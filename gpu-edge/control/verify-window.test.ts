import { describe, expect, it } from 'vitest';
import type { EngineTelemetry } from '../../schemas/index.js';
import { breach, metricsOf } from './verify-window.js';

const tel = (o: Partial<EngineTelemetry & { up: true }> = {}): EngineTelemetry => ({
  node: 'n1',
  workload: 'wl-1',
  engine: 'sim',
  model: 'm',
  window_s: 1,
  up: true,
  requests_running: 3,
  requests_waiting: 0,
  kv_cache_usage: 0.4,
  kv_capacity_tokens: 1600,
  prompt_tokens_per_s: 100,
  generation_tokens_per_s: 50,
  preemptions_total: 0,
  request_success_total: { stop: 100, abort: 1 },
  ttft_ms: null,
  itl_ms: null,
  e2e_ms: { p50: 200, p95: 900, p99: 1200 },
  ...o,
});

describe('gpu-edge verify-window bounds', () => {
  it('passes a window inside every bound', () => {
    expect(breach(tel(), tel({ request_success_total: { stop: 50, abort: 1 } }), { maxE2eP95Ms: 1000 })).toBe(
      undefined
    );
  });

  it('names the bound a window breaks', () => {
    expect(breach(tel({ kv_cache_usage: 0.995 }), undefined, {})).toBe('KV cache usage 0.995 above 0.98');
    expect(breach(tel(), undefined, { maxE2eP95Ms: 500 })).toBe('e2e p95 900 ms above 500 ms');
    // 6 aborts among 20 finished since the previous window: 30% > 5%
    const prev = tel({ request_success_total: { stop: 86, abort: 0 } });
    const now = tel({ request_success_total: { stop: 100, abort: 6 } });
    expect(breach(now, prev, {})).toBe('error spike: 6 of 20 requests aborted (> 5%)');
    expect(breach({ ...tel(), up: false, scrape_error: 'HTTP 500' }, undefined, {})).toBe(
      'metrics unreadable: HTTP 500'
    );
  });

  it('flattens telemetry into the numbers an action result carries', () => {
    expect(metricsOf(tel())).toEqual({
      kv_cache_usage: 0.4,
      requests_running: 3,
      requests_waiting: 0,
      generation_tokens_per_s: 50,
      kv_capacity_tokens: 1600,
      e2e_p95_ms: 900,
    });
    expect(metricsOf(undefined)).toEqual({});
  });
});
