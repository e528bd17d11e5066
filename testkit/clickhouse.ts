import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { check } from './check.js';
import { infraPath } from './infra-env.js';
import { freePorts } from './net.js';
import { makeTempDir } from './process.js';
import type { ServerProcess, SpawnSpec } from './process.js';
import { ExternalServer, LocalServer } from './server-handle.js';
import { testDatabase, uniqueDatabaseName } from './test-database.js';
import type { TestDatabase } from './test-database.js';

const WANT_VERSION = '26.7';
// clickhouse-local serves only while a query runs: this one sleeps for ~3 years, one row a second.
const KEEP_ALIVE =
  'SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; SELECT sleepEachRow(1) FROM numbers(100000000) FORMAT Null ' +
  'SETTINGS max_block_size=1, function_sleep_max_microseconds_per_block=0';

export interface ClickHouseHandle extends AsyncDisposable {
  /** HTTP interface, `http://127.0.0.1:<httpPort>` (no password: loopback only). */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** Data dir (`--path`); '' when external. */
  readonly path: string;
  readonly pid: number;
  readonly running: boolean;
  getLog(): string;
  /** CREATE DATABASE with a unique name; its `url` has the database as path (as @clickhouse/client reads it). */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  /** Sends `signal` (default SIGKILL) and waits for the exit; data stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM if running, then start on the same ports and path. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and removal of a temp path; idempotent. */
  stop(): Promise<void>;
}

export interface ClickHouseOptions {
  /** Data dir, kept by stop() and reused; default a temp dir. */
  path?: string;
  /** Default free ports. */
  httpPort?: number;
  tcpPort?: number;
}

/** ClickHouse 26.7 (libchdb behind `.infra/bin/chdb-server`), or the server named by `OI_CLICKHOUSE_URL`. */
export async function startClickHouse(opts: ClickHouseOptions = {}): Promise<ClickHouseHandle> {
  const external = process.env.OI_CLICKHOUSE_URL;
  if (external) {
    const server = new ExternalClickHouse(external);
    await checkVersion(server.url);
    return server;
  }
  const launcher = infraPath('OI_CHDB_SERVER', 'ClickHouse launcher');
  const lib = infraPath('OI_CHDB_LIB', 'libchdb.so', false);
  const path = opts.path === undefined ? await makeTempDir('ch') : resolve(opts.path);
  const server = new LocalClickHouse(launcher, lib, path, opts.path === undefined);
  const pickPorts = async (): Promise<void> => {
    const [http, tcp] = (await freePorts(2)) as [number, number];
    server.httpPort = opts.httpPort ?? http;
    server.tcpPort = opts.tcpPort ?? tcp;
  };
  // With a port fixed by the caller, a clash is theirs to resolve: no retry.
  if (opts.httpPort !== undefined || opts.tcpPort !== undefined) return pickPorts().then(() => server.boot());
  return server.boot(pickPorts);
}

/** Runs one statement over HTTP and returns the body; throws with ClickHouse's message on failure. */
async function query(url: string, sql: string, timeoutMs = 10_000): Promise<string> {
  // fetch refuses credentials inside a URL: ClickHouse takes them as headers too.
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (u.username) {
    headers['X-ClickHouse-User'] = decodeURIComponent(u.username);
    headers['X-ClickHouse-Key'] = decodeURIComponent(u.password);
  }
  const res = await fetch(`${u.origin}/`, {
    method: 'POST',
    body: sql,
    headers,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status} for \`${sql.slice(0, 80)}\`: ${body.trim()}`);
  return body;
}

async function checkVersion(url: string): Promise<string> {
  const version = (await query(url, 'SELECT version()')).trim();
  if (!version.startsWith(`${WANT_VERSION}.`)) {
    throw new Error(`ClickHouse at ${url} is ${version}; OptiInfra needs ${WANT_VERSION} (run \`npm run setup\`)`);
  }
  return version;
}

async function createDatabase(url: string, prefix?: string): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  await query(url, `CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return testDatabase(name, dbUrl.toString(), async () => {
    await query(url, `DROP DATABASE IF EXISTS ${name} SYNC`);
  });
}

class LocalClickHouse extends LocalServer implements ClickHouseHandle {
  httpPort = 0;
  tcpPort = 0;

  constructor(
    private readonly launcher: string,
    private readonly lib: string,
    readonly path: string,
    ownsPath: boolean
  ) {
    super('clickhouse', ownsPath ? [path] : [], 'SIGTERM');
  }

  protected override async prepare(): Promise<void> {
    await mkdir(this.path, { recursive: true });
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  createDatabase(prefix?: string): Promise<TestDatabase> {
    return createDatabase(this.url, prefix);
  }

  protected spec(): SpawnSpec {
    const listen = ['--listen_host=127.0.0.1', `--http_port=${this.httpPort}`, `--tcp_port=${this.tcpPort}`];
    return {
      command: this.launcher,
      args: [this.lib, `--path=${this.path}`, ...listen, '--query', KEEP_ALIVE],
      cwd: this.path,
    };
  }

  protected async ready(_proc: ServerProcess, signal: AbortSignal): Promise<void> {
    const ping = async (): Promise<boolean> => (await fetch(`${this.url}/ping`, { signal })).ok;
    await check(ping, 30_000, { name: 'clickhouse /ping', signal });
    // The disk path proves the listener is ours and not a foreign server on a reused port.
    const disk = (await query(this.url, `SELECT path FROM system.disks WHERE name = 'default'`)).trim();
    if (disk.replace(/\/$/, '') !== this.path)
      throw new Error(`port ${this.httpPort} serves ${disk}, not ${this.path}`);
    await checkVersion(this.url);
  }
}

class ExternalClickHouse extends ExternalServer implements ClickHouseHandle {
  readonly httpPort: number;
  readonly tcpPort = -1;
  readonly path = '';

  constructor(url: string) {
    super(url, 'OI_CLICKHOUSE_URL');
    this.httpPort = Number(new URL(url).port || 8123);
  }

  createDatabase(prefix?: string): Promise<TestDatabase> {
    return createDatabase(this.url, prefix);
  }
}
