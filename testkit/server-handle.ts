import { ManagedServer } from './managed-server.js';
import { isPortClash } from './process.js';
import type { ServerProcess, SpawnSpec } from './process.js';

/** What every launcher's handle delegates to its ManagedServer: lifecycle, log, dispose. */
export abstract class LocalServer implements AsyncDisposable {
  protected readonly server: ManagedServer;

  constructor(name: string, dirs: string[], stopSignal: NodeJS.Signals) {
    this.server = new ManagedServer({
      name,
      dirs,
      stopSignal,
      spec: () => this.spec(),
      ready: (proc, signal) => this.ready(proc, signal),
    });
  }

  /** The command line of each start; may write config files. */
  protected abstract spec(): SpawnSpec | Promise<SpawnSpec>;
  /** Resolves once the server serves; gives up when `signal` aborts. */
  protected abstract ready(proc: ServerProcess, signal: AbortSignal): Promise<void>;
  /** Runs once before the first start (initdb). */
  protected prepare(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * First start. `pickPorts` runs before each attempt, as another process may take a port we
   * picked between probing and binding. On failure everything is removed again.
   */
  async boot(pickPorts?: () => Promise<void>, attempts = 3): Promise<this> {
    try {
      await this.prepare();
      for (let i = 1; ; i++) {
        await pickPorts?.();
        try {
          await this.server.start();
          return this;
        } catch (err) {
          if (!pickPorts || i >= attempts || !isPortClash(err)) throw err;
        }
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  get pid(): number {
    return this.server.pid;
  }
  get running(): boolean {
    return this.server.running;
  }
  getLog(): string {
    return this.server.log.text();
  }
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.server.kill(signal);
  }
  restart(): Promise<void> {
    return this.server.restart();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
  /** Lets the host process end while the server runs (the exit-time reaper still kills it). */
  unref(): void {
    this.server.unref();
  }
}

/** A handle to a server named by an env var: usable, but not ours to kill or restart. */
export class ExternalServer implements AsyncDisposable {
  readonly pid = -1;
  readonly running = true;

  constructor(
    readonly url: string,
    private readonly envVar: string
  ) {}

  getLog(): string {
    return '';
  }
  kill(): Promise<void> {
    return Promise.reject(this.#notOurs());
  }
  restart(): Promise<void> {
    return Promise.reject(this.#notOurs());
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #notOurs(): Error {
    return new Error(`${this.envVar} points at an external server: the testkit cannot kill or restart it (unset it)`);
  }
}
