import { fileURLToPath } from 'node:url';
import type { EngineAdapter } from './engine-adapter.js';
import type { EngineConfig } from './engine-config.js';
import type { FitChecker } from './fit-check.js';
import { vllmAdapter } from './vllm-adapter.js';

const SERVE = fileURLToPath(new URL('../../sim/engine/serve.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SimAdapterOptions {
  /** Catalog GPU id the simulated engine runs on (`--gpu`). */
  gpu: string;
  fits?: FitChecker;
  port: number;
  host?: string;
  /** Simulated seconds per wall second. */
  speed?: number;
  /** Simulated loading time; default the simulator's (weights at 2 GB/s + 10 s). */
  loadTimeSec?: number;
  seed?: number;
}

/**
 * The simulator's engine (sim/engine/serve.ts): the same flags and HTTP surface as `vllm serve`,
 * plus `--gpu`, `--speed` and `--load-time`. The kv-offloading backend is vLLM's choice of
 * connector; the simulator models one CPU tier, so that flag is not passed.
 */
export function simAdapter(opts: SimAdapterOptions): EngineAdapter {
  const extraArgs = [
    '--gpu',
    opts.gpu,
    '--speed',
    String(opts.speed ?? 1),
    ...(opts.loadTimeSec !== undefined ? ['--load-time', String(opts.loadTimeSec)] : []),
    ...(opts.seed !== undefined ? ['--seed', String(opts.seed)] : []),
  ];
  const inner = vllmAdapter({
    command: [process.execPath, '--import', 'tsx', SERVE],
    ...(opts.fits ? { fits: opts.fits } : {}),
    port: opts.port,
    ...(opts.host ? { host: opts.host } : {}),
    extraArgs,
    cwd: ROOT,
  });
  const strip = (config: EngineConfig): EngineConfig => {
    const { kvOffloadingBackend: _backend, ...rest } = config;
    return rest;
  };
  return {
    kind: 'sim',
    url: inner.url,
    fits: (config) => inner.fits(config),
    commandLine: (config) => inner.commandLine(strip(config)),
    launch: (config) => {
      const instance = inner.launch(strip(config));
      return { ...instance, config };
    },
  };
}
