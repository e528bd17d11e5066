import type { Logger } from '../../config/index.js';
import { EngineStartError, describeExit } from '../engine/child-engine.js';
import type { EngineAdapter, EngineInstance } from '../engine/engine-adapter.js';
import {
  EngineConfigError,
  applyEngineChanges,
  describeChange,
  parseEngineConfig,
  type EngineConfig,
} from '../engine/engine-config.js';
import { verifyWindow, type VerifyBounds } from './verify-window.js';

export type EngineState = 'starting' | 'healthy' | 'changing' | 'restarting' | 'drained' | 'down' | 'stopped';

/** What became of one engine change; `status` is the action result's. */
export interface ChangeOutcome {
  status: 'succeeded' | 'failed' | 'rolled_back';
  detail: string;
  config: EngineConfig;
  metricsBefore?: Record<string, number>;
  metricsAfter?: Record<string, number>;
}

/** Things an operator should hear about, outside any action's result. */
export interface EngineEvent {
  event: 'engine_died' | 'engine_restarted' | 'engine_restart_failed' | 'engine_rollback_failed';
  severity: 'info' | 'warning' | 'critical';
  message: string;
  attrs?: Record<string, string | number | boolean>;
}

export interface EngineStatus {
  state: EngineState;
  engine: 'vllm' | 'sim';
  url: string;
  pid: number | null;
  config: EngineConfig;
  command: string[];
  restarts: number;
  changes: { succeeded: number; failed: number; rolledBack: number };
}

export interface EngineControllerOptions {
  adapter: EngineAdapter;
  /** The configuration to run; the persisted last good one wins when present. */
  config: EngineConfig;
  identity: { node: string; workload: string };
  healthTimeoutMs?: number;
  healthPollMs?: number;
  verifyWindowMs?: number;
  verifyPollMs?: number;
  bounds?: VerifyBounds;
  stopGraceMs?: number;
  /** Delay before relaunching an engine that died on its own, growing per consecutive failure. */
  restartBackoffMs?: number;
  /** Called with the new last good configuration after each commit (the edge persists it). */
  onCommit?: (config: EngineConfig) => Promise<void>;
  onEvent?: (e: EngineEvent) => void;
  logger: Logger;
}

/**
 * Runs one engine and changes it one step at a time: a reconfigure is validate → fit check →
 * apply → wait for `/health` → verify for a window → commit, else roll back to the last good
 * configuration. An engine that dies outside a change is relaunched with the last good one.
 */
export class EngineController {
  readonly #o: Required<Omit<EngineControllerOptions, 'onCommit' | 'onEvent' | 'bounds'>> &
    Pick<EngineControllerOptions, 'onCommit' | 'onEvent'> & { bounds: VerifyBounds };
  #lastGood: EngineConfig;
  #current: EngineInstance | undefined;
  #state: EngineState = 'stopped';
  #lock: Promise<unknown> = Promise.resolve();
  #stopping = false;
  #restarts = 0;
  #failedRelaunches = 0;
  readonly #changes = { succeeded: 0, failed: 0, rolledBack: 0 };

  constructor(opts: EngineControllerOptions) {
    this.#o = {
      healthTimeoutMs: 120_000,
      healthPollMs: 500,
      verifyWindowMs: 30_000,
      verifyPollMs: 2_000,
      stopGraceMs: 30_000,
      restartBackoffMs: 1_000,
      ...opts,
      bounds: opts.bounds ?? {},
    };
    this.#lastGood = parseEngineConfig(opts.config);
  }

  get lastGood(): EngineConfig {
    return this.#lastGood;
  }

  status(): EngineStatus {
    return {
      state: this.#state,
      engine: this.#o.adapter.kind,
      url: this.#o.adapter.url,
      pid: this.#current && !this.#current.exitInfo() ? this.#current.pid : null,
      config: this.#lastGood,
      command: this.#o.adapter.commandLine(this.#lastGood),
      restarts: this.#restarts,
      changes: { ...this.#changes },
    };
  }

  /** The running engine, if any (tests kill it to prove supervision). */
  get instance(): EngineInstance | undefined {
    return this.#current;
  }

  /** Runs `fn` after every earlier change: one engine change at a time per node. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Launches the last good configuration and waits until it is healthy. */
  start(): Promise<void> {
    return this.#exclusive(async () => {
      this.#o.adapter.fits(this.#lastGood);
      this.#state = 'starting';
      await this.#launch(this.#lastGood);
      this.#state = 'healthy';
    });
  }

  async #launch(config: EngineConfig): Promise<EngineInstance> {
    const instance = this.#o.adapter.launch(config);
    this.#current = instance;
    try {
      await instance.waitHealthy(this.#o.healthTimeoutMs, this.#o.healthPollMs);
    } catch (err) {
      await instance.stop(this.#o.stopGraceMs);
      throw err;
    }
    this.#watch(instance);
    return instance;
  }

  /** Relaunches the last good configuration when `instance` dies while it is the live engine. */
  #watch(instance: EngineInstance): void {
    void instance.exited.then((exit) => {
      if (this.#stopping || this.#current !== instance || this.#state !== 'healthy') return;
      this.#state = 'down';
      const message = `engine ${describeExit(exit)}; relaunching the last good configuration`;
      this.#o.logger.warn({ pid: instance.pid, code: exit.code, signal: exit.signal }, 'engine died');
      this.#o.onEvent?.({
        event: 'engine_died',
        severity: 'critical',
        message,
        attrs: { pid: instance.pid, code: exit.code ?? -1, signal: exit.signal ?? '' },
      });
      void this.#relaunch();
    });
  }

  #relaunch(): Promise<void> {
    return this.#exclusive(async () => {
      while (!this.#stopping && (this.#state === 'down' || this.#state === 'restarting')) {
        this.#state = 'restarting';
        const delay = this.#o.restartBackoffMs * 2 ** Math.min(this.#failedRelaunches, 5);
        await new Promise((r) => setTimeout(r, delay));
        if (this.#stopping) return;
        try {
          const inst = await this.#launch(this.#lastGood);
          this.#restarts++;
          this.#failedRelaunches = 0;
          this.#state = 'healthy';
          this.#o.onEvent?.({
            event: 'engine_restarted',
            severity: 'info',
            message: `engine relaunched with the last good configuration (pid ${inst.pid})`,
            attrs: { pid: inst.pid, restarts: this.#restarts },
          });
        } catch (err) {
          this.#failedRelaunches++;
          this.#o.onEvent?.({
            event: 'engine_restart_failed',
            severity: 'critical',
            message: `relaunch failed: ${(err as Error).message}`,
            attrs: { attempt: this.#failedRelaunches },
          });
        }
      }
    });
  }

  /** Validates and fits a change without touching the engine; throws `EngineConfigError`. */
  plan(changes: Record<string, unknown>): EngineConfig {
    const next = applyEngineChanges(this.#lastGood, changes);
    this.#o.adapter.fits(next);
    return next;
  }

  reconfigure(changes: Record<string, unknown>): Promise<ChangeOutcome> {
    return this.#exclusive(async () => {
      let next: EngineConfig;
      try {
        next = this.plan(changes);
      } catch (err) {
        if (!(err instanceof EngineConfigError)) throw err;
        this.#changes.failed++;
        return {
          status: 'failed',
          detail: `refused before touching the engine: ${err.message}`,
          config: this.#lastGood,
        };
      }
      const change = describeChange(this.#lastGood, next);
      if (change === 'no change' && this.#state === 'healthy') {
        this.#changes.succeeded++;
        return { status: 'succeeded', detail: 'configuration already in effect', config: next };
      }
      return this.#apply(next, `reconfigure (${change})`);
    });
  }

  restart(): Promise<ChangeOutcome> {
    return this.#exclusive(() => this.#apply(this.#lastGood, 'restart'));
  }

  /** Stops the engine gracefully (vLLM finishes in-flight requests) and keeps it down until a restart. */
  drain(): Promise<ChangeOutcome> {
    return this.#exclusive(async () => {
      const inst = this.#current;
      this.#state = 'drained';
      const exit = inst ? await inst.stop(this.#o.stopGraceMs) : undefined;
      this.#changes.succeeded++;
      return {
        status: 'succeeded',
        detail: exit ? `engine drained and stopped (${describeExit(exit)})` : 'engine was not running',
        config: this.#lastGood,
      };
    });
  }

  /** Engine numbers now: two scrapes 100 ms apart (rates and histograms need a window). */
  async #snapshot(instance: EngineInstance): Promise<Record<string, number>> {
    const id = { ...this.#o.identity, engine: this.#o.adapter.kind };
    return (await verifyWindow(instance, id, { windowMs: 100, pollMs: 100, bounds: { maxKvUsage: 1 } })).metrics;
  }

  async #apply(next: EngineConfig, what: string): Promise<ChangeOutcome> {
    const prevState = this.#state;
    this.#state = 'changing';
    const id = { ...this.#o.identity, engine: this.#o.adapter.kind };
    const before = this.#current;
    const metricsBefore =
      before && !before.exitInfo() && prevState === 'healthy' ? await this.#snapshot(before) : undefined;
    if (before) await before.stop(this.#o.stopGraceMs);
    let instance: EngineInstance;
    try {
      instance = await this.#launch(next);
    } catch (err) {
      const why = err instanceof EngineStartError ? err.message : `launch failed: ${(err as Error).message}`;
      return this.#rollback(what, why, metricsBefore);
    }
    const verdict = await verifyWindow(instance, id, {
      windowMs: this.#o.verifyWindowMs,
      pollMs: this.#o.verifyPollMs,
      bounds: this.#o.bounds,
    });
    if (!verdict.ok) {
      await instance.stop(this.#o.stopGraceMs);
      return this.#rollback(what, verdict.reason, metricsBefore, verdict.metrics);
    }
    this.#lastGood = next;
    await this.#o.onCommit?.(next);
    this.#state = 'healthy';
    this.#changes.succeeded++;
    return {
      status: 'succeeded',
      detail: `${what}: healthy and verified for ${this.#o.verifyWindowMs} ms; committed`,
      config: next,
      ...(metricsBefore ? { metricsBefore } : {}),
      metricsAfter: verdict.metrics,
    };
  }

  async #rollback(
    what: string,
    reason: string,
    metricsBefore: Record<string, number> | undefined,
    metricsFailed?: Record<string, number>
  ): Promise<ChangeOutcome> {
    this.#o.logger.warn({ what, reason }, 'engine change failed; rolling back');
    const base = { ...(metricsBefore ? { metricsBefore } : {}) };
    try {
      const inst = await this.#launch(this.#lastGood);
      this.#state = 'healthy';
      this.#changes.rolledBack++;
      const after = await this.#snapshot(inst);
      return {
        status: 'rolled_back',
        detail: `${what} failed: ${reason}; rolled back to the last good configuration`,
        config: this.#lastGood,
        ...base,
        metricsAfter: Object.keys(after).length ? after : (metricsFailed ?? {}),
      };
    } catch (err) {
      this.#state = 'down';
      this.#changes.failed++;
      const message = `${what} failed: ${reason}; rollback failed too: ${(err as Error).message}`;
      this.#o.onEvent?.({ event: 'engine_rollback_failed', severity: 'critical', message });
      void this.#relaunch();
      return { status: 'failed', detail: message, config: this.#lastGood, ...base };
    }
  }

  /** Stops supervision and the engine. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#lock;
    this.#state = 'stopped';
    await this.#current?.stop(this.#o.stopGraceMs);
  }
}
