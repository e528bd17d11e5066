import { spawnEngine } from './child-engine.js';
import { vllmArgs, type EngineConfig } from './engine-config.js';
import type { EngineAdapter } from './engine-adapter.js';
import { uncheckedFit, type FitChecker } from './fit-check.js';

export interface VllmAdapterOptions {
  /** The command that starts vLLM's server, before the model and flags; default `vllm serve`. */
  command?: string[];
  /** Whether a configuration fits the node's GPU (see `catalogFitChecker`); unchecked when absent. */
  fits?: FitChecker;
  host?: string;
  port: number;
  /** Appended after the managed flags (e.g. `--served-model-name`, `--api-key`). */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const DEFAULT_VLLM_COMMAND = ['vllm', 'serve'];

/** Launches and stops `vllm serve <model> --flag …` as a child process on a fixed port. */
export function vllmAdapter(opts: VllmAdapterOptions): EngineAdapter {
  const command = opts.command ?? DEFAULT_VLLM_COMMAND;
  if (command.length === 0) throw new Error('vllm adapter: command must name an executable');
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host}:${opts.port}`;
  const commandLine = (config: EngineConfig): string[] => [
    ...command,
    ...vllmArgs(config),
    '--host',
    host,
    '--port',
    String(opts.port),
    ...(opts.extraArgs ?? []),
  ];
  return {
    kind: 'vllm',
    url,
    fits: opts.fits ?? uncheckedFit,
    commandLine,
    launch: (config) => {
      const [cmd, ...args] = commandLine(config);
      return spawnEngine({
        command: cmd!,
        args,
        url,
        config,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      });
    },
  };
}
