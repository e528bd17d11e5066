import { check } from './check.js';
import { infraPath } from './infra-env.js';
import { ManagedServer } from './managed-server.js';
import { freePorts } from './net.js';
import { isPortClash, makeTempDir } from './process.js';
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
  /** Data dir (`--path`). */
  readonly path: string;
  readonly pid: number;
  getLog(): string;
  /** CREATE DATABASE with a unique name; its `url` has the database as path (as @clickhouse/client reads it). */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  /** Sends `signal` (default SIGKILL) and waits for the exit; data stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM if running, then start on the same ports and path. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and removal of the path; idempotent. */
  stop(): Promise<void>;
}

/** ClickHouse 26.7 (libchdb behind `.infra/bin/chdb-server`), or the server named by `OI_CLICKHOUSE_URL`. */
export async function startClickHouse(): Promise<ClickHouseHandle> {
  const external = process.env.OI_CLICKHOUSE_URL;
  if (external) {
    const server = new ExternalClickHouse(external);
    await checkVersion(server.url);
    return server;
  }
  const launcher = infraPath('OI_CHDB_SERVER', 'ClickHouse launcher');
  const lib = infraPath('OI_CHDB_LIB', 'libchdb.so', false);
  const server = new LocalClickHouse(launcher, lib, await makeTempDir('ch'));
  try {
    await server.startFresh();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
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
  const res = await fetch(`${u.origin}/`, { method: 'POST', body: sql, headers, signal: AbortSignal.timeout(timeoutMs) });
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

class LocalClickHouse implements ClickHouseHandle {
  httpPort = 0;
  tcpPort = 0;
  readonly #server: ManagedServer;

  constructor(
    launcher: string,
    lib: string,
    readonly path: string
  ) {
    this.#server = new ManagedServer({
      name: 'clickhouse',
      dirs: [path],
      stopSignal: 'SIGTERM',
      spec: () => ({
        command: launcher,
        args: [lib, `--path=${path}`, '--listen_host=127.0.0.1', `--http_port=${this.httpPort}`]
          .concat([`--tcp_port=${this.tcpPort}`, '--query', KEEP_ALIVE]),
        cwd: path,
      }),
      ready: (_proc, signal) => this.#ready(signal),
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }
  get pid(): number {
    return this.#server.pid;
  }

  /** First start: fresh ports per attempt, as another process may take the ones we picked. */
  async startFresh(attempts = 3): Promise<void> {
    for (let i = 1; ; i++) {
      [this.httpPort, this.tcpPort] = (await freePorts(2)) as [number, number];
      try {
        return await this.#server.start();
      } catch (err) {
        if (i >= attempts || !isPortClash(err)) throw err;
      }
    }
  }

  async #ready(signal: AbortSignal): Promise<void> {
    const ping = async (): Promise<boolean> => (await fetch(`${this.url}/ping`, { signal })).ok;
    await check(ping, 30_000, { name: 'clickhouse /ping', signal });
    // The disk path proves the listener is ours and not a foreign server on a reused port.
    const disk = (await query(this.url, `SELECT path FROM system.disks WHERE name = 'default'`)).trim();
    if (disk.replace(/\/$/, '') !== this.path) throw new Error(`port ${this.httpPort} serves ${disk}, not ${this.path}`);
    await checkVersion(this.url);
  }

  unref(): void {
    this.#server.unref();
  }
  getLog(): string {
    return this.#server.log.text();
  }
  createDatabase(prefix?: string): Promise<TestDatabase> {
    return createDatabase(this.url, prefix);
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
}

const EXTERNAL = 'OI_CLICKHOUSE_URL points at an external server: the testkit cannot kill or restart it';

class ExternalClickHouse implements ClickHouseHandle {
  readonly httpPort: number;
  readonly tcpPort = -1;
  readonly path = '';
  readonly pid = -1;

  constructor(readonly url: string) {
    this.httpPort = Number(new URL(url).port || 8123);
  }

  getLog(): string {
    return '';
  }
  createDatabase(prefix?: string): Promise<TestDatabase> {
    return createDatabase(this.url, prefix);
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
