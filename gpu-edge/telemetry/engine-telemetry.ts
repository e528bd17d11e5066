import type { EngineTelemetry, QuantilesMs } from '../../schemas/index.js';
import type { Quantiles } from './histogram.js';
import type { Sample } from './prometheus-text.js';
import { deriveEngineWindow, engineSnapshot, type EngineSnapshot, type EngineWindow } from './vllm-metrics.js';

/**
 * Turns successive scrapes of one engine into `oi.tel.engine.v1` data. The first good scrape is
 * the baseline (rates need two points) and yields nothing; a failed scrape yields `up: false`
 * with the reason. The baseline survives failures, so the first window after an outage spans it.
 * A scrape whose samples carry the same time as the baseline's (a Prometheus that has not
 * scraped again since it was last asked) holds nothing new and yields nothing either.
 */

export interface EngineIdentity {
  node: string;
  workload: string;
  engine: 'vllm' | 'sim';
}

function v1Quantiles(q: Quantiles | null): QuantilesMs | null {
  return q === null ? null : { p50: q.p50, p95: q.p95, p99: q.p99 };
}

/** v1 carries p50/p95/p99; p90 stays on the EngineWindow for in-process readers. */
export function toEngineTelemetryV1(w: EngineWindow, id: EngineIdentity): EngineTelemetry {
  return {
    ...id,
    model: w.model,
    window_s: w.window_s,
    up: true,
    requests_running: w.requests_running,
    requests_waiting: w.requests_waiting,
    kv_cache_usage: w.kv_cache_usage,
    ...(w.kv_capacity_tokens === undefined ? {} : { kv_capacity_tokens: w.kv_capacity_tokens }),
    prefix_cache_hit_rate: w.prefix_cache_hit_rate,
    prompt_tokens_per_s: w.prompt_tokens_per_s,
    generation_tokens_per_s: w.generation_tokens_per_s,
    preemptions_total: w.preemptions_total,
    request_success_total: w.request_success_total,
    ttft_ms: v1Quantiles(w.ttft_ms),
    itl_ms: v1Quantiles(w.itl_ms),
    e2e_ms: v1Quantiles(w.e2e_ms),
  };
}

export interface EngineTrackerOptions {
  /** Served model name to report while the engine has never answered. */
  model?: string;
  /** Window reported for a failure before any earlier attempt. */
  intervalMs: number;
}

export interface EngineObservation {
  telemetry: EngineTelemetry | undefined;
  window: EngineWindow | undefined;
}

const MAX_ERROR_CHARS = 2000;

export class EngineTelemetryTracker {
  private baseline: EngineSnapshot | undefined;
  private lastAttemptMs: number | undefined;
  private model: string | undefined;

  constructor(
    private readonly id: EngineIdentity,
    private readonly opts: EngineTrackerOptions
  ) {
    this.model = opts.model;
  }

  /** A successful scrape; throws (to be reported as a failure) when it holds no vLLM metrics. */
  observe(samples: readonly Sample[], at: Date): EngineObservation {
    const snap = engineSnapshot(samples, at);
    const prev = this.baseline;
    this.lastAttemptMs = snap.atMs;
    if (prev === undefined) {
      // validates the endpoint now rather than one interval later
      deriveEngineWindow({ atMs: snap.atMs - 1, series: new Map(), model: snap.model }, snap);
      this.baseline = snap;
      this.model = snap.model ?? this.model;
      return { telemetry: undefined, window: undefined };
    }
    if (snap.sampledAtMs !== undefined && snap.sampledAtMs === prev.sampledAtMs) {
      return { telemetry: undefined, window: undefined };
    }
    const window = deriveEngineWindow(prev, snap);
    this.baseline = snap;
    this.model = snap.model ?? this.model;
    return { telemetry: toEngineTelemetryV1(window, this.id), window };
  }

  failure(error: unknown, at: Date): EngineTelemetry {
    const atMs = at.getTime();
    const sinceMs = this.lastAttemptMs === undefined ? this.opts.intervalMs : atMs - this.lastAttemptMs;
    this.lastAttemptMs = atMs;
    const text = error instanceof Error ? error.message : String(error);
    return {
      ...this.id,
      model: this.model ?? 'unknown',
      window_s: Math.max(sinceMs, 1) / 1000,
      up: false,
      scrape_error: (text || 'unknown error').slice(0, MAX_ERROR_CHARS),
    };
  }
}
