import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { check } from './check.js';
import { infraPath } from './infra-env.js';
import { ManagedServer } from './managed-server.js';
import { tcpProbe } from './net.js';
import { makeTempDir } from './process.js';
import type { ServerProcess } from './process.js';

export interface NatsServerOptions {
  /** Enable JetStream; default true. */
  jetstream?: boolean;
  /** Client port; default -1 (the server picks a free one). */
  port?: number;
  /** JetStream store; default a temp dir removed by stop(). A given dir is kept. */
  storeDir?: string;
  /** Appended verbatim to the generated config file. */
  extraConfig?: string;
  /** `server_name`; default a random `oi-nats-<hex>`. */
  name?: string;
}

export interface NatsServerHandle extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly pid: number;
  readonly name: string;
  readonly running: boolean;
  /** The last ~256 KiB of the server's combined output, across restarts. */
  getLog(): string;
  /** Sends `signal` (default SIGKILL) and resolves once the process exited; keeps storeDir. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts again on the same ports and store dir (stopping it first if running). */
  restart(): Promise<void>;
  /** Kills the server if running and removes its temp dirs; idempotent. */
  stop(): Promise<void>;
}

/** A nats-server on loopback, or a handle to the server named by `NATS_URL` when that is set. */
export async function startNats(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const external = process.env.NATS_URL;
  if (external) return new ExternalNats(external);
  return launchNats(opts);
}

/** Always starts a local server, whatever NATS_URL says (clusters need their own nodes). */
export async function launchNats(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const bin = infraPath('OI_NATS_SERVER', 'nats-server 2.10');
  const dir = await makeTempDir('nats');
  const server = new LocalNats(bin, dir, opts);
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

interface PortsFile {
  nats?: string[];
  monitoring?: string[];
}

class LocalNats implements NatsServerHandle {
  readonly name: string;
  readonly storeDir: string;
  port: number;
  monitorPort = -1;
  readonly #server: ManagedServer;

  constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly opts: NatsServerOptions
  ) {
    this.name = opts.name ?? `oi-nats-${Math.random().toString(16).slice(2, 10)}`;
    this.storeDir = opts.storeDir ?? join(dir, 'jetstream');
    this.port = opts.port ?? -1;
    this.#server = new ManagedServer({
      name: `nats-server ${this.name}`,
      dirs: [dir],
      stopSignal: 'SIGKILL', // nothing to flush that a kill would lose (JetStream syncs lazily anyway)
      spec: () => this.#spec(),
      ready: (proc, signal) => this.#ready(proc, signal),
    });
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  get pid(): number {
    return this.#server.pid;
  }
  get running(): boolean {
    return this.#server.running;
  }

  start(): Promise<void> {
    return this.#server.start();
  }
  getLog(): string {
    return this.#server.log.text();
  }
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.#server.kill(signal);
  }
  restart(): Promise<void> {
    return this.#server.restart();
  }
  stop(): Promise<void> {
    return this.#server.stop();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #spec(): Promise<{ command: string; args: string[]; cwd: string }> {
    const q = JSON.stringify;
    const lines = [
      `server_name: ${q(this.name)}`,
      `listen: ${q(`127.0.0.1:${this.port}`)}`,
      `http: ${q(`127.0.0.1:${this.monitorPort}`)}`,
      `ports_file_dir: ${q(this.dir)}`,
    ];
    if (this.opts.jetstream ?? true) lines.push(`jetstream { store_dir: ${q(this.storeDir)} }`);
    if (this.opts.extraConfig) lines.push(this.opts.extraConfig);
    const conf = join(this.dir, 'nats.conf');
    await writeFile(conf, lines.join('\n') + '\n');
    return { command: this.bin, args: ['-c', conf], cwd: this.dir };
  }

  // The server writes <exe>_<pid>.ports once it listens; then the client port must accept.
  async #ready(proc: ServerProcess, signal: AbortSignal): Promise<void> {
    const ports = await check(() => this.#readPorts(proc.pid), 10_000, { name: 'nats ports file', signal });
    this.port = Number(new URL(ports.nats![0]!).port);
    this.monitorPort = Number(new URL(ports.monitoring![0]!).port);
    await check(() => tcpProbe(this.port), 5000, { name: `nats tcp ${this.port}`, signal });
  }

  async #readPorts(pid: number): Promise<PortsFile | undefined> {
    const file = (await readdir(this.dir)).find((f) => f.endsWith(`_${pid}.ports`));
    if (!file) return undefined;
    const path = join(this.dir, file);
    const ports = JSON.parse(await readFile(path, 'utf8')) as PortsFile;
    if (!ports.nats?.length || !ports.monitoring?.length) return undefined;
    await rm(path, { force: true });
    return ports;
  }
}

const EXTERNAL =
  'NATS_URL points at an external server: the testkit cannot kill or restart it (unset NATS_URL for a local one)';

class ExternalNats implements NatsServerHandle {
  readonly port: number;
  readonly monitorPort = -1;
  readonly storeDir = '';
  readonly pid = -1;
  readonly name = 'external';
  readonly running = true;

  constructor(readonly url: string) {
    const first = url.split(',')[0]!.trim();
    this.port = Number(new URL(first.includes('://') ? first : `nats://${first}`).port || 4222);
  }

  getLog(): string {
    return '';
  }
  kill(): Promise<void> {
    return Promise.reject(new Error(EXTERNAL));
  }
  restart(): Promise<void> {
    return Promise.reject(new Error(EXTERNAL));
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
