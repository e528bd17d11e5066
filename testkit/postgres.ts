import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { check } from './check.js';
import { infraPath, requireExecutable } from './infra-env.js';
import { freePort } from './net.js';
import { makeTempDir, runCommand } from './process.js';
import type { ServerProcess, SpawnSpec } from './process.js';
import { ExternalServer, LocalServer } from './server-handle.js';
import { testDatabase, uniqueDatabaseName } from './test-database.js';
import type { TestDatabase } from './test-database.js';

export interface PostgresHandle extends AsyncDisposable {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, superuser). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly running: boolean;
  /** Cluster dir: `data/` plus the unix socket; '' when external. */
  readonly dir: string;
  getLog(): string;
  /** CREATE DATABASE with a unique name; `drop()` / dispose runs DROP DATABASE … WITH (FORCE). */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  /** Sends `signal` (default SIGKILL, to the whole process group) and waits for the exit; data stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Fast shutdown if running, then start on the same port and data. */
  restart(): Promise<void>;
  /** Fast shutdown (SIGKILL after 5 s) and removal of a temp dir; idempotent. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Cluster dir (`data/` + socket), kept by stop() and reused if it holds a cluster; default a temp dir. */
  dir?: string;
  /** Default a free port. */
  port?: number;
}

/** A private PostgreSQL 15 cluster (pgvector available), or the server named by `OI_PG_URL`. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresHandle> {
  const external = process.env.OI_PG_URL;
  if (external) return new ExternalPostgres(external);
  const bin = infraPath('OI_PG_BIN', 'PostgreSQL 15 bin dir');
  requireExecutable(join(bin, 'initdb'));
  requireExecutable(join(bin, 'postgres'));
  // initdb refuses root: as root, the cluster runs as user postgres.
  const owner = process.getuid?.() === 0 ? postgresUser() : {};
  const dir = opts.dir === undefined ? await makeTempDir('pg') : resolve(opts.dir);
  const server = new LocalPostgres(bin, dir, owner, opts.dir === undefined);
  if (opts.port !== undefined) {
    server.port = opts.port;
    return server.boot();
  }
  return server.boot(async () => {
    server.port = await freePort();
  });
}

interface Owner {
  uid?: number;
  gid?: number;
}

function postgresUser(): Owner {
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

class LocalPostgres extends LocalServer implements PostgresHandle {
  port = 0;

  constructor(
    private readonly bin: string,
    readonly dir: string,
    private readonly owner: Owner,
    ownsDir: boolean
  ) {
    super('postgres', ownsDir ? [dir] : [], 'SIGINT'); // fast shutdown; SIGTERM would wait for clients to leave
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  createDatabase(prefix?: string): Promise<TestDatabase> {
    return createDatabase(this.url, prefix);
  }

  protected override async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (this.owner.uid !== undefined) await chown(this.dir, this.owner.uid, this.owner.gid!);
    if (existsSync(join(this.dataDir, 'PG_VERSION'))) return; // a kept cluster from an earlier run
    const args = ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'];
    await runCommand({ command: join(this.bin, 'initdb'), args, ...this.owner }, 'initdb', this.server.log);
  }

  protected spec(): SpawnSpec {
    const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'max_connections=200'];
    return {
      command: join(this.bin, 'postgres'),
      args: ['-D', this.dataDir, '-p', String(this.port), '-k', this.dir, ...settings.flatMap((s) => ['-c', s])],
      cwd: this.dir,
      ...this.owner,
    };
  }

  protected async ready(_proc: ServerProcess, signal: AbortSignal): Promise<void> {
    // Compare the data dir, so a foreign server that grabbed our port never passes for ours.
    const serving = (): Promise<boolean> =>
      withClient(this.url, async (c) => {
        const res = await c.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
        return res.rows[0]?.dir === this.dataDir;
      });
    await check(serving, 30_000, { name: 'postgres ready', signal });
  }
}

class ExternalPostgres extends ExternalServer implements PostgresHandle {
  readonly port: number;
  readonly dir = '';

  constructor(url: string) {
    super(url, 'OI_PG_URL');
    this.port = Number(new URL(url).port || 5432);
  }

  createDatabase(prefix?: string): Promise<TestDatabase> {
    return createDatabase(this.url, prefix);
  }
}
