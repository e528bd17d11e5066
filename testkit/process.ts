import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Keeps the last `cap` characters of a server's output; one buffer spans its restarts. */
export class LogBuffer {
  #chunks: string[] = [];
  #size = 0;
  constructor(readonly cap = 256 * 1024) {}

  append(text: string): void {
    this.#chunks.push(text);
    this.#size += text.length;
    // Compact at twice the cap so appends stay cheap.
    if (this.#size > 2 * this.cap) {
      const kept = this.text();
      this.#chunks = [kept];
      this.#size = kept.length;
    }
  }

  text(): string {
    return this.#chunks.join('').slice(-this.cap);
  }

  tail(chars = 4000): string {
    return this.text().slice(-chars);
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** A spawned server, leader of its own process group so a kill reaches its children too. */
export interface ServerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  readonly exitInfo: ExitInfo | undefined;
  /** Graceful signals go to the leader only; SIGKILL to the whole group. */
  signal(sig: NodeJS.Signals): void;
}

export function spawnServer(spec: SpawnSpec, log: LogBuffer): ServerProcess {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    uid: spec.uid,
    gid: spec.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (s: string) => log.append(s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => log.append(s));
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (error) => {
      exitInfo = { code: null, signal: null, error };
      resolve(exitInfo);
    });
    // 'close' waits for the pipes to drain, so the log is complete when this resolves.
    child.once('close', (code, signal) => {
      exitInfo ??= { code, signal };
      resolve(exitInfo);
    });
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    child,
    exited,
    get exitInfo() {
      return exitInfo;
    },
    signal(sig) {
      if (pid > 0 && !exitInfo) signalPid(sig === 'SIGKILL' ? -pid : pid, sig);
      else if (pid > 0 && sig === 'SIGKILL') signalPid(-pid, sig); // sweep leftovers of the group
    },
  };
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.error) return `could not start: ${info.error.message}`;
  return info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
}

/** Resolves with the exit, or undefined when the process is still running after `timeoutMs`. */
export async function waitForExit(proc: ServerProcess, timeoutMs: number): Promise<ExitInfo | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `sig`, escalates to SIGKILL after `graceMs`, and always sweeps the process group. */
export async function terminate(proc: ServerProcess, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  proc.signal(sig);
  if (sig !== 'SIGKILL' && !(await waitForExit(proc, graceMs))) proc.signal('SIGKILL');
  await proc.exited;
  proc.signal('SIGKILL');
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `oi-${prefix}-`));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 3 });
}

export function isPortClash(err: unknown): boolean {
  return err instanceof Error && /address already in use|EADDRINUSE|could not bind/i.test(err.message);
}

/** Runs a short command (initdb) to completion; throws with its output when it fails. */
export async function runCommand(spec: SpawnSpec, what: string, log: LogBuffer): Promise<void> {
  const proc = spawnServer(spec, log);
  const info = await proc.exited;
  if (info.code !== 0) throw new Error(`${what} ${describeExit(info)}\n--- log tail ---\n${log.tail()}`);
}

// --- last-resort cleanup: a test that never stopped its server must not leak it -------------

/** What the reaper kills and removes when this process goes away. */
export interface Reapable {
  pid(): number | undefined;
  readonly dirs: readonly string[];
}

const live = new Set<Reapable>();
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
let installed = false;

export function reapOnExit(item: Reapable): () => void {
  live.add(item);
  if (!installed) {
    installed = true;
    process.once('exit', reapAllSync);
    for (const sig of SIGNALS) process.on(sig, onSignal);
  }
  return () => live.delete(item);
}

function reapAllSync(): void {
  for (const item of live) {
    const pid = item.pid();
    if (pid !== undefined && pid > 0) signalPid(-pid, 'SIGKILL');
    for (const dir of item.dirs) rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

// Vitest ends its workers with SIGTERM, which skips 'exit' handlers. When nobody else handles
// the signal we clean up and re-raise it, so the process still dies the default way.
function onSignal(sig: NodeJS.Signals): void {
  if (process.listenerCount(sig) > 1) return;
  reapAllSync();
  for (const s of SIGNALS) process.off(s, onSignal);
  installed = false;
  process.kill(process.pid, sig);
}
