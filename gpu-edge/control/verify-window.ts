import type { EngineTelemetry } from '../../schemas/index.js';
import type { EngineInstance } from '../engine/engine-adapter.js';
import { describeExit } from '../engine/child-engine.js';
import { engineMetricsSource } from '../sources/engine-metrics-source.js';
import { EngineTelemetryTracker } from '../telemetry/engine-telemetry.js';

/** What a new configuration must hold during its verification window. */
export interface VerifyBounds {
  /** Highest `vllm:kv_cache_usage_perc` accepted (1 = full); default 0.98. */
  maxKvUsage?: number;
  /** Highest share of finished requests that ended `abort` in one poll window; default 0.05. */
  maxAbortRatio?: number;
  /** Highest end-to-end p95 in ms; unchecked when absent. */
  maxE2eP95Ms?: number;
}

export interface VerifyOptions {
  windowMs: number;
  pollMs: number;
  bounds: VerifyBounds;
}

export type VerifyResult =
  { ok: true; metrics: Record<string, number> } | { ok: false; reason: string; metrics: Record<string, number> };

/** The numbers an action result carries before and after (flat, so any reader can diff them). */
export function metricsOf(t: EngineTelemetry | undefined): Record<string, number> {
  if (!t?.up) return {};
  const out: Record<string, number> = {
    kv_cache_usage: t.kv_cache_usage,
    requests_running: t.requests_running,
    requests_waiting: t.requests_waiting,
    generation_tokens_per_s: t.generation_tokens_per_s,
  };
  if (t.kv_capacity_tokens !== undefined) out.kv_capacity_tokens = t.kv_capacity_tokens;
  if (t.e2e_ms) out.e2e_p95_ms = t.e2e_ms.p95;
  if (t.ttft_ms) out.ttft_p95_ms = t.ttft_ms.p95;
  return out;
}

function finished(t: EngineTelemetry & { up: true }): { total: number; abort: number } {
  let total = 0;
  for (const n of Object.values(t.request_success_total)) total += n;
  return { total, abort: t.request_success_total.abort ?? 0 };
}

/** Checks one window of telemetry against the bounds; returns why it breaks one, if it does. */
export function breach(
  t: EngineTelemetry,
  prev: EngineTelemetry | undefined,
  bounds: VerifyBounds
): string | undefined {
  if (!t.up) return `metrics unreadable: ${t.scrape_error}`;
  const maxKv = bounds.maxKvUsage ?? 0.98;
  if (t.kv_cache_usage > maxKv) return `KV cache usage ${t.kv_cache_usage.toFixed(3)} above ${maxKv}`;
  if (bounds.maxE2eP95Ms !== undefined && t.e2e_ms && t.e2e_ms.p95 > bounds.maxE2eP95Ms) {
    return `e2e p95 ${t.e2e_ms.p95.toFixed(0)} ms above ${bounds.maxE2eP95Ms} ms`;
  }
  if (prev?.up) {
    const now = finished(t);
    const before = finished(prev);
    const total = now.total - before.total;
    const abort = now.abort - before.abort;
    const maxAbort = bounds.maxAbortRatio ?? 0.05;
    if (total > 0 && abort / total > maxAbort) {
      return `error spike: ${abort} of ${total} requests aborted (> ${(maxAbort * 100).toFixed(0)}%)`;
    }
  }
  return undefined;
}

/**
 * Watches a freshly healthy engine for `windowMs` (and at least two scrapes): it must stay up,
 * keep answering `/health`, and its metrics must stay inside the bounds. The first failure ends it.
 */
export async function verifyWindow(
  instance: EngineInstance,
  id: { node: string; workload: string; engine: 'vllm' | 'sim' },
  opts: VerifyOptions
): Promise<VerifyResult> {
  const source = engineMetricsSource({ url: `${instance.url}/metrics`, timeoutMs: Math.max(opts.pollMs, 1_000) });
  const tracker = new EngineTelemetryTracker(id, { intervalMs: opts.pollMs });
  const deadline = Date.now() + opts.windowMs;
  let last: EngineTelemetry | undefined;
  for (;;) {
    const exit = instance.exitInfo();
    if (exit)
      return { ok: false, reason: `engine ${describeExit(exit)} during verification`, metrics: metricsOf(last) };
    if (!(await instance.healthy())) {
      const gone = instance.exitInfo();
      const why = gone ? `engine ${describeExit(gone)}` : '/health stopped answering 200';
      return { ok: false, reason: `${why} during verification`, metrics: metricsOf(last) };
    }
    let t: EngineTelemetry | undefined;
    try {
      t = tracker.observe(await source.scrape(), new Date()).telemetry;
    } catch (err) {
      t = tracker.failure(err, new Date());
    }
    if (t) {
      const why = breach(t, last, opts.bounds);
      if (why) return { ok: false, reason: why, metrics: metricsOf(t.up ? t : last) };
      last = t;
    }
    // at least one full window, even when polls run late: the first scrape is only a baseline
    if (Date.now() >= deadline && last) return { ok: true, metrics: metricsOf(last) };
    await Promise.race([new Promise((r) => setTimeout(r, opts.pollMs)), instance.exited]);
  }
}
