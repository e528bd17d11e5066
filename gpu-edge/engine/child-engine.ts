import { spawn } from 'node:child_process';
import type { EngineConfig } from './engine-config.js';
import type { EngineExit, EngineInstance } from './engine-adapter.js';

const LOG_CAP_CHARS = 64 * 1024;

/** Raised while waiting for `/health`: the engine exited or never became healthy in time. */
export class EngineStartError extends Error {
  override name = 'EngineStartError';
  constructor(
    message: string,
    readonly exit: EngineExit | undefined
  ) {
    super(message);
  }
}

export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
  const tail = exit.logTail.trim().split('\n').slice(-3).join(' | ');
  return tail ? `${how}: ${tail}` : how;
}

export interface ChildEngineSpec {
  command: string;
  args: string[];
  url: string;
  config: EngineConfig;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns an engine process with its own process group, so a stop reaches its workers too. */
export function spawnEngine(spec: ChildEngineSpec): EngineInstance {
  let log = '';
  const append = (d: Buffer): void => {
    log = (log + d.toString()).slice(-LOG_CAP_CHARS);
  };
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exit: EngineExit | undefined;
  const exited = new Promise<EngineExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (exit) return;
      exit = { code, signal, logTail: log.slice(-4000) };
      resolve(exit);
    };
    child.once('exit', done);
    child.once('error', (err) => {
      log += `\nspawn failed: ${err.message}`;
      done(null, null);
    });
  });

  const signalGroup = (sig: NodeJS.Signals): void => {
    if (exit || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };

  const healthy = async (): Promise<boolean> => {
    if (exit) return false;
    try {
      const res = await fetch(`${spec.url}/health`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  };

  return {
    pid: child.pid ?? -1,
    url: spec.url,
    config: spec.config,
    exited,
    exitInfo: () => exit,
    healthy,
    logTail: (chars = 4000) => log.slice(-chars),
    waitHealthy: async (timeoutMs, pollMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exit) throw new EngineStartError(`engine ${describeExit(exit)} before /health answered`, exit);
        if (await healthy()) return;
        if (Date.now() >= deadline) {
          throw new EngineStartError(`engine not healthy within ${timeoutMs} ms (/health never answered 200)`, exit);
        }
        const wait = new Promise((r) => setTimeout(r, pollMs));
        await Promise.race([wait, exited]);
      }
    },
    stop: async (graceMs) => {
      if (exit) return exit;
      signalGroup('SIGTERM');
      const t = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const e = await exited;
      clearTimeout(t);
      return e;
    },
  };
}
