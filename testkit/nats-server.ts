import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { check } from './check.js';
import { infraPath } from './infra-env.js';
import { tcpProbe } from './net.js';
import { makeTempDir } from './process.js';
import type { ServerProcess, SpawnSpec } from './process.js';
import { ExternalServer, LocalServer } from './server-handle.js';

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
  /**
   * A config file whose text is added to the generated config (e.g. the authorization block
   * `optiinfra creds` writes); read at every (re)start. Default: none, so no authorization.
   */
  configFile?: string;
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
  /** Starts again on the same ports and store dir (SIGKILLing it first if running). */
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
  return new LocalNats(bin, await makeTempDir('nats'), opts).boot();
}

interface PortsFile {
  nats?: string[];
  monitoring?: string[];
}

class LocalNats extends LocalServer implements NatsServerHandle {
  readonly name: string;
  readonly storeDir: string;
  port: number;
  monitorPort = -1;

  constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly opts: NatsServerOptions,
    name = opts.name ?? `oi-nats-${randomBytes(4).toString('hex')}`
  ) {
    // SIGKILL to stop: JetStream syncs lazily anyway, so a kill loses nothing a stop would keep.
    super(`nats-server ${name}`, [dir], 'SIGKILL');
    this.name = name;
    this.storeDir = opts.storeDir ?? join(dir, 'jetstream');
    this.port = opts.port ?? -1;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  protected async spec(): Promise<SpawnSpec> {
    const q = JSON.stringify;
    const lines = [
      `server_name: ${q(this.name)}`,
      `listen: ${q(`127.0.0.1:${this.port}`)}`,
      `http: ${q(`127.0.0.1:${this.monitorPort}`)}`,
      `ports_file_dir: ${q(this.dir)}`,
    ];
    if (this.opts.jetstream ?? true) lines.push(`jetstream { store_dir: ${q(this.storeDir)} }`);
    if (this.opts.extraConfig) lines.push(this.opts.extraConfig);
    // appended, not `include`d: nats-server resolves an include relative to the including file
    if (this.opts.configFile) lines.push(await readFile(this.opts.configFile, 'utf8'));
    const conf = join(this.dir, 'nats.conf');
    await writeFile(conf, lines.join('\n') + '\n', { mode: 0o600 });
    return { command: this.bin, args: ['-c', conf], cwd: this.dir };
  }

  // The server writes <exe>_<pid>.ports once it listens; then the client port must accept.
  protected async ready(proc: ServerProcess, signal: AbortSignal): Promise<void> {
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

class ExternalNats extends ExternalServer implements NatsServerHandle {
  readonly port: number;
  readonly monitorPort = -1;
  readonly storeDir = '';
  readonly name = 'external';

  constructor(url: string) {
    super(url, 'NATS_URL');
    const first = url.split(',')[0]!.trim();
    this.port = Number(new URL(first.includes('://') ? first : `nats://${first}`).port || 4222);
  }
}
