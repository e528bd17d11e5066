import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkData, engineTelemetryV1 } from '../../schemas/index.js';
import { EngineTelemetryTracker } from './engine-telemetry.js';
import { parsePrometheusText } from './prometheus-text.js';

const samples = (name: string) =>
  parsePrometheusText(readFileSync(new URL(`../fixtures/vllm/${name}`, import.meta.url), 'utf8')).samples;
const id = { node: 'node-1', workload: 'wl-1', engine: 'vllm' as const };

describe('gpu-edge engine telemetry tracker', () => {
  it('keeps the first scrape as baseline, then yields valid oi.tel.engine.v1 data for each window', () => {
    const t = new EngineTelemetryTracker(id, { intervalMs: 15_000 });
    expect(t.observe(samples('constructed-v1-2engines-t0.txt'), new Date(0)).telemetry).toBeUndefined();
    const { telemetry, window } = t.observe(samples('constructed-v1-2engines-t1.txt'), new Date(15_000));
    const data = checkData(engineTelemetryV1, telemetry);
    expect(data).toMatchObject({ ...id, up: true, window_s: 15, requests_running: 21, kv_capacity_tokens: 864_000 });
    // v1 quantiles carry p50/p95/p99; p90 stays on the window
    expect(data.up && data.ttft_ms).toEqual({
      p50: expect.closeTo(75, 9),
      p95: expect.closeTo(175, 9),
      p99: expect.closeTo(235, 9),
    });
    expect(window!.ttft_ms!.p90).toBeCloseTo(100, 9);
  });

  it('reports a failure as up:false with the reason, the last known model and the time since the last attempt', () => {
    const t = new EngineTelemetryTracker(id, { intervalMs: 15_000, model: 'configured-model' });
    const first = t.failure(new Error('cannot connect (ECONNREFUSED)'), new Date(0));
    expect(checkData(engineTelemetryV1, first)).toMatchObject({
      up: false,
      model: 'configured-model',
      window_s: 15,
      scrape_error: 'cannot connect (ECONNREFUSED)',
    });
    t.observe(samples('constructed-v1-2engines-t0.txt'), new Date(10_000));
    const down = t.failure(new Error('timed out after 5000 ms'), new Date(40_000));
    expect(down).toMatchObject({ up: false, model: 'meta-llama/Llama-3.1-8B-Instruct', window_s: 30 });
  });

  it('spans the outage in the first window after it, from the last good scrape', () => {
    const t = new EngineTelemetryTracker(id, { intervalMs: 15_000 });
    t.observe(samples('constructed-v1-2engines-t0.txt'), new Date(0));
    t.failure(new Error('down'), new Date(15_000));
    const { telemetry } = t.observe(samples('constructed-v1-2engines-t1.txt'), new Date(30_000));
    expect(telemetry).toMatchObject({ up: true, window_s: 30, prompt_tokens_per_s: 150 }); // 4500 tokens / 30 s
  });

  it("spans windows between the samples' own times when they carry them, and skips a repeat of the baseline", () => {
    // as the Prometheus API source returns them: every sample stamped with its scrape time
    const stamped = (name: string, ms: number) => samples(name).map((s) => ({ ...s, timestampMs: ms }));
    const t = new EngineTelemetryTracker(id, { intervalMs: 15_000 });
    t.observe(stamped('constructed-v1-2engines-t0.txt', 1_000), new Date(5_000));
    // asked again before Prometheus scraped again: nothing new, the baseline stays
    expect(t.observe(stamped('constructed-v1-2engines-t0.txt', 1_000), new Date(20_000)).telemetry).toBeUndefined();
    const { telemetry } = t.observe(stamped('constructed-v1-2engines-t1.txt', 31_000), new Date(33_000));
    // 4500 prompt tokens between the scrapes at 1 s and 31 s (fixtures/SOURCE.md), not the 28 s between the asks
    expect(telemetry).toMatchObject({ up: true, window_s: 30, prompt_tokens_per_s: 150 });
  });

  it('throws on a first scrape that is not vLLM, so it is reported rather than taken as a baseline', () => {
    const t = new EngineTelemetryTracker(id, { intervalMs: 15_000 });
    expect(() => t.observe(parsePrometheusText('up 1\n').samples, new Date(0))).toThrow(/not a vLLM metrics endpoint/);
  });
});
