import type { EngineConfig } from './engine-config.js';
import type { FitCheck } from './fit-check.js';

/** How an engine process ended. */
export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines of the engine's output, for the report. */
  logTail: string;
}

/** One running engine process, launched with one configuration. */
export interface EngineInstance {
  readonly pid: number;
  /** Base URL of its HTTP surface (`/health`, `/metrics`, `/v1/...`). */
  readonly url: string;
  readonly config: EngineConfig;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<EngineExit>;
  exitInfo(): EngineExit | undefined;
  /** One `/health` probe: true on HTTP 200. */
  healthy(): Promise<boolean>;
  /** Resolves once `/health` answers 200; rejects when the process exits first or `timeoutMs` passes. */
  waitHealthy(timeoutMs: number, pollMs: number): Promise<void>;
  /** SIGTERM (vLLM finishes in-flight requests), SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<EngineExit>;
  logTail(chars?: number): string;
}

/** Launches the inference engine; one implementation per engine kind (`vllm`, `sim`). */
export interface EngineAdapter {
  readonly kind: 'vllm' | 'sim';
  /** Where the engine listens; stable across restarts so telemetry keeps one target. */
  readonly url: string;
  /** Whether `config` fits the node's GPU; throws `EngineConfigError` when it cannot. */
  fits(config: EngineConfig): FitCheck;
  /** Command line the adapter would run for `config` (shown in status and reports). */
  commandLine(config: EngineConfig): string[];
  launch(config: EngineConfig): EngineInstance;
}
