import { describeExit, LogBuffer, reapOnExit, removeDir, spawnServer, terminate, waitForExit } from './process.js';
import type { ServerProcess, SpawnSpec } from './process.js';

export interface ManagedServerOptions {
  /** Names the server in errors, e.g. `nats-server n1`. */
  name: string;
  /** Removed by stop() and by the exit-time reaper. */
  dirs: string[];
  /** Builds the command line for each start (config files, ports). */
  spec(): SpawnSpec | Promise<SpawnSpec>;
  /** Resolves once the server serves; must give up when `signal` aborts. */
  ready(proc: ServerProcess, signal: AbortSignal): Promise<void>;
  /** Signal for a graceful stop; SIGKILL follows after `stopGraceMs`. */
  stopSignal: NodeJS.Signals;
  stopGraceMs?: number;
}

/** The lifecycle every launcher shares: start with an early-exit race, kill, restart, stop, reap. */
export class ManagedServer {
  readonly log = new LogBuffer();
  #proc: ServerProcess | undefined;
  #stopped = false;
  #unref = false;
  readonly #unregister: () => void;

  constructor(private readonly opts: ManagedServerOptions) {
    this.#unregister = reapOnExit({ pid: () => this.#proc?.pid, dirs: opts.dirs });
  }

  get pid(): number {
    return this.#proc?.pid ?? -1;
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#proc.exitInfo === undefined;
  }

  /** Starts the server; on failure it is killed and the error carries the tail of its log. */
  async start(): Promise<void> {
    if (this.#stopped) throw new Error(`${this.opts.name} was stopped; start a new one`);
    if (this.running) throw new Error(`${this.opts.name} is already running (pid ${this.pid})`);
    const proc = spawnServer(await this.opts.spec(), this.log);
    this.#proc = proc;
    if (this.#unref) unrefProcess(proc);
    const abort = new AbortController();
    const early = proc.exited.then((info) => {
      throw new Error(`${this.opts.name} ${describeExit(info)} before it was ready`);
    });
    try {
      await Promise.race([this.opts.ready(proc, abort.signal), early]);
    } catch (err) {
      abort.abort(err);
      await terminate(proc, 'SIGKILL', 0);
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`${this.opts.name} failed to start: ${reason}\n--- log tail ---\n${this.log.tail()}`, {
        cause: err,
      });
    } finally {
      early.catch(() => undefined);
    }
  }

  /** Sends `signal` (default SIGKILL) and resolves once the process is gone; files stay. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitInfo) return;
    proc.signal(signal);
    if (!(await waitForExit(proc, 15_000))) {
      throw new Error(`${this.opts.name} (pid ${proc.pid}) still runs 15 s after ${signal}`);
    }
    proc.signal('SIGKILL');
  }

  /** Stops gracefully if running, then starts again with the same files (and ports, by spec()). */
  async restart(): Promise<void> {
    if (this.#proc && this.running) await terminate(this.#proc, this.opts.stopSignal, this.opts.stopGraceMs ?? 5000);
    await this.start();
  }

  /** Stops the process (gracefully, then SIGKILL) and removes the dirs; idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#proc) await terminate(this.#proc, this.opts.stopSignal, this.opts.stopGraceMs ?? 5000);
    await Promise.all(this.opts.dirs.map(removeDir));
    this.#unregister();
  }

  /** Lets this process exit while the server runs (the reaper still kills it then). */
  unref(): void {
    this.#unref = true;
    if (this.#proc) unrefProcess(this.#proc);
  }
}

function unrefProcess(proc: ServerProcess): void {
  proc.child.unref();
  for (const stream of [proc.child.stdout, proc.child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}
