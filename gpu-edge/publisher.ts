import {
  checkData,
  engineTelemetryV1,
  gpuTelemetryV1,
  noticeV1,
  subjects,
  token,
  type EngineTelemetry,
} from '../schemas/index.js';
import { publish, type Bus } from '../bus/index.js';
import type { Logger } from '../config/index.js';
import type { EngineSource, GpuSource } from './sources/types.js';
import { EngineTelemetryTracker } from './telemetry/engine-telemetry.js';
import { toGpuTelemetry } from './telemetry/gpu-telemetry.js';

/**
 * The edge's telemetry loop: every interval it reads the GPUs and the engine and publishes
 * `oi.v1.tel.gpu.<workload>.<node>` and `oi.v1.tel.engine.<workload>.<node>`, stamped with
 * event time from the injected clock. A failed engine scrape is published as `up: false`. A
 * failed GPU read has no v1 shape, so it becomes the event `oi.v1.evt.edge.gpu_telemetry_failed.
 * <workload>` on the first failure and every `gpuFailureRepeat` consecutive ones after, and
 * `gpu_telemetry_recovered` when readings return. A source still busy when its next interval
 * comes is not started again (counted in `stats.overlapsSkipped`).
 */

export interface EdgeTelemetryOptions {
  bus: Pick<Bus, 'js' | 'logger'>;
  node: string;
  workload: string;
  intervalMs: number;
  gpu?: GpuSource;
  engine?: EngineSource;
  /** Event time; the simulator passes its lockstep clock. */
  clock?: () => Date;
  logger?: Logger;
  /** Envelope `source`; default `gpu-edge:<node>`. */
  source?: string;
  /** Consecutive GPU failures between repeated failure events; default 30. */
  gpuFailureRepeat?: number;
}

export interface EdgeTelemetryStats {
  ticks: number;
  gpuPublished: number;
  gpuFailures: number;
  engineUp: number;
  engineDown: number;
  /** Engine reads that published nothing: the baseline (the first good one), or no newer Prometheus scrape. */
  engineBaselines: number;
  overlapsSkipped: number;
  publishErrors: number;
}

export interface EdgeTelemetry extends AsyncDisposable {
  readonly stats: Readonly<EdgeTelemetryStats>;
  /** Stops the timer and waits for in-flight reads and publishes. */
  stop(): Promise<void>;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Starts publishing; rejects at once when a source cannot work at all (e.g. nvidia-smi missing). */
export async function startEdgeTelemetry(opts: EdgeTelemetryOptions): Promise<EdgeTelemetry> {
  const node = token('node', opts.node);
  const workload = token('workload', opts.workload);
  if (!Number.isInteger(opts.intervalMs) || opts.intervalMs < 1) {
    throw new Error(`intervalMs must be a positive integer (ms), got ${opts.intervalMs}`);
  }
  if (!opts.gpu && !opts.engine) throw new Error('startEdgeTelemetry needs a gpu source, an engine source or both');
  const repeat = opts.gpuFailureRepeat ?? 30;
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`gpuFailureRepeat must be a positive integer, got ${repeat}`);
  const clock = opts.clock ?? ((): Date => new Date());
  const logger = (opts.logger ?? opts.bus.logger).child({ node, workload });
  const source = opts.source ?? `gpu-edge:${node}`;
  const { js } = opts.bus;

  await opts.gpu?.probe?.();

  const stats: EdgeTelemetryStats = {
    ticks: 0,
    gpuPublished: 0,
    gpuFailures: 0,
    engineUp: 0,
    engineDown: 0,
    engineBaselines: 0,
    overlapsSkipped: 0,
    publishErrors: 0,
  };
  const tracker = opts.engine
    ? new EngineTelemetryTracker(
        { node, workload, engine: opts.engine.engine },
        { intervalMs: opts.intervalMs, ...(opts.engine.model === undefined ? {} : { model: opts.engine.model }) }
      )
    : undefined;
  let consecutiveGpuFailures = 0;

  const guarded = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      stats.publishErrors++;
      logger.error({ err, what }, 'publishing edge telemetry failed');
    }
  };

  const gpuEvent = async (event: string, severity: 'warning' | 'info', message: string, at: Date): Promise<void> => {
    await publish(
      js,
      subjects.evt('edge', event, workload),
      noticeV1,
      {
        domain: 'edge',
        event,
        workload,
        severity,
        message,
        attrs: { node, gpu_source: opts.gpu!.name, consecutive_failures: consecutiveGpuFailures },
      },
      { source, ts: at }
    );
  };

  const gpuTick = async (gpu: GpuSource, at: Date): Promise<void> => {
    let result;
    try {
      result = toGpuTelemetry(await gpu.read(), node, workload);
      // a reading the schema refuses is a failed read, reported like one
      checkData(gpuTelemetryV1, result.data);
    } catch (err) {
      consecutiveGpuFailures++;
      stats.gpuFailures++;
      const message = `GPU telemetry from ${gpu.name} failed: ${errorText(err)}`.slice(0, 4000);
      logger.warn({ err, consecutive: consecutiveGpuFailures }, 'gpu read failed');
      if (consecutiveGpuFailures === 1 || consecutiveGpuFailures % repeat === 0) {
        await guarded('gpu failure event', () => gpuEvent('gpu_telemetry_failed', 'warning', message, at));
      }
      return;
    }
    if (result.unattributed > 0) {
      logger.warn({ count: result.unattributed }, 'gpu processes without gpu_uuid on a multi-GPU node left out');
    }
    await guarded('gpu telemetry', async () => {
      await publish(js, subjects.tel('gpu', workload, node), gpuTelemetryV1, result.data, { source, ts: at });
      stats.gpuPublished++;
    });
    if (consecutiveGpuFailures > 0) {
      const message = `GPU telemetry from ${gpu.name} is back after ${consecutiveGpuFailures} failed reads`;
      await guarded('gpu recovery event', () => gpuEvent('gpu_telemetry_recovered', 'info', message, at));
      consecutiveGpuFailures = 0;
    }
  };

  const engineTick = async (engine: EngineSource, t: EngineTelemetryTracker, at: Date): Promise<void> => {
    let data: EngineTelemetry | undefined;
    try {
      data = t.observe(await engine.scrape(), at).telemetry;
      if (data === undefined) stats.engineBaselines++;
      else checkData(engineTelemetryV1, data);
    } catch (err) {
      logger.warn({ err, source: engine.name }, 'engine scrape failed');
      data = t.failure(err, at);
    }
    if (data === undefined) return;
    const up = data.up;
    await guarded('engine telemetry', async () => {
      await publish(js, subjects.tel('engine', workload, node), engineTelemetryV1, data, { source, ts: at });
      if (up) stats.engineUp++;
      else stats.engineDown++;
    });
  };

  const inFlight = new Map<string, Promise<void>>();
  const launch = (key: string, fn: () => Promise<void>): void => {
    if (inFlight.has(key)) {
      stats.overlapsSkipped++;
      logger.warn({ source: key, intervalMs: opts.intervalMs }, 'previous read still running; interval skipped');
      return;
    }
    const p = fn().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  };

  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    stats.ticks++;
    const at = clock();
    const { gpu, engine } = opts;
    if (gpu) launch('gpu', () => gpuTick(gpu, at));
    if (engine && tracker) launch('engine', () => engineTick(engine, tracker, at));
  };

  tick();
  const timer = setInterval(tick, opts.intervalMs);
  const stop = async (): Promise<void> => {
    stopped = true;
    clearInterval(timer);
    await Promise.allSettled([...inFlight.values()]);
  };
  return { stats, stop, [Symbol.asyncDispose]: stop };
}
