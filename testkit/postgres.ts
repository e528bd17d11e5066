import { execFileSync } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { check } from './check.js';
import { infraPath, requireExecutable } from './infra-env.js';
import { ManagedServer } from './managed-server.js';
import { freePort } from './net.js';
import { isPortClash, makeTempDir, runCommand } from './process.js';
import { testDatabase, uniqueDatabaseName } from './test-database.js';
import type { TestDatabase } from './test-database.js';

export interface PostgresHandle extends AsyncDisposable {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, superuser). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Cluster dir: `data/` plus the unix socket. */
  readonly dir: string;
  getLog(): string;
  /** CREATE DATABASE with a unique name; `drop()` / dispose runs DROP DATABASE … WITH (FORCE). */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  /** Sends `signal` (default SIGKILL, to the whole process group) and waits for the exit; data stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Fast shutdown if running, then start on the same port and data. */
  restart(): Promise<void>;
  /** Fast shutdown (SIGKILL after 5 s) and removal of the dir; idempotent. */
  stop(): Promise<void>;
}

/** A private PostgreSQL 15 cluster (pgvector available), or the server named by `OI_PG_URL`. */
export async function startPostgres(): Promise<PostgresHandle> {
  const external = process.env.OI_PG_URL;
  if (external) return new ExternalPostgres(external);
  const bin = infraPath('OI_PG_BIN', 'PostgreSQL 15 bin dir');
  const tools = { initdb: requireExecutable(join(bin, 'initdb')), postgres: requireExecutable(join(bin, 'postgres')) };
  // initdb refuses root: as root, run the server as user postgres.
  const owner: { uid?: number; gid?: number } = process.getuid?.() === 0 ? postgresUser() : {};
  const dir = await makeTempDir('pg');
  if (owner.uid !== undefined) await chown(dir, owner.uid, owner.gid!);
  const server = new LocalPostgres(tools.postgres, dir, owner);
  try {
    await runCommand(
      {
        command: tools.initdb,
        args: ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
        ...owner,
      },
      'initdb',
      server.log
    );
    await server.startFresh();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('no user postgres to run PostgreSQL as (initdb refuses root); run `npm run setup`');
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(adminUrl: string, prefix?: string): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return testDatabase(name, url.toString(), async () => {
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });
}

class LocalPostgres implements PostgresHandle {
  port = 0;
  readonly #server: ManagedServer;

  constructor(
    bin: string,
    readonly dir: string,
    owner: { uid?: number; gid?: number }
  ) {
    this.#server = new ManagedServer({
      name: 'postgres',
      dirs: [dir],
      stopSignal: 'SIGINT', // fast shutdown; SIGTERM would wait for clients to leave
      spec: () => ({
        command: bin,
        args: ['-D', this.dataDir, '-p', String(this.port), '-k', dir]
          .concat(['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']),
        cwd: dir,
        ...owner,
      }),
      ready: async (_proc, signal) => {
        // Compare the data dir, so a foreign server that grabbed our port never passes for ours.
        const serving = (): Promise<boolean> =>
          withClient(this.url, async (c) => {
            const res = await c.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
            return res.rows[0]?.dir === this.dataDir;
          });
        await check(serving, 30_000, { name: 'postgres ready', signal });
      },
    });
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }
  get log(): ManagedServer['log'] {
    return this.#server.log;
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  get pid(): number {
    return this.#server.pid;
  }

  /** First start: a fresh port per attempt, as another process may take the one we picked. */
  async startFresh(attempts = 3): Promise<void> {
    for (let i = 1; ; i++) {
      this.port = await freePort();
      try {
        return await this.#server.start();
      } catch (err) {
        if (i >= attempts || !isPortClash(err)) throw err;
      }
    }
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

const EXTERNAL = 'OI_PG_URL points at an external server: the testkit cannot kill or restart it';

class ExternalPostgres implements PostgresHandle {
  readonly port: number;
  readonly pid = -1;
  readonly dir = '';

  constructor(readonly url: string) {
    this.port = Number(new URL(url).port || 5432);
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
