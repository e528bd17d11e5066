import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LogBuffer } from './process.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** An OptiInfra process (`optiinfra serve <name>`) spawned for a test: real pid, real signals. */
export interface OiProcess extends AsyncDisposable {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  getLog(): string;
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM, …). */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface TsProcessOptions {
  /** Node flags after `--import tsx`, e.g. another `--import` preload (testkit/clock-skew.ts). */
  nodeArgs?: string[];
}

/** Starts `optiinfra serve <name>` (supervisor, host, …) with `env` on top of this process's. */
export function startOiProcess(name: string, env: Record<string, string>, opts: TsProcessOptions = {}): OiProcess {
  return startTsProcess(name, MAIN, ['serve', name], env, opts);
}

/** Runs a TypeScript file of this repo under tsx as a child process (chaos tools, fixtures). */
export function startTsProcess(
  name: string,
  file: string,
  args: string[],
  env: Record<string, string>,
  opts: TsProcessOptions = {}
): OiProcess {
  const log = new LogBuffer();
  const child = spawn(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => log.append(d.toString()));
  child.stderr.on('data', (d: Buffer) => log.append(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(t);
    return code;
  };
  return {
    name,
    pid: child.pid ?? -1,
    child,
    exited,
    getLog: () => log.text(),
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop(2_000);
    },
  };
}
