import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, sharedPostgres } from '../../testkit/index.js';
import {
  MigrationError,
  POSTGRES_MIGRATIONS_DIR,
  StoreUnavailableError,
  migratePostgres,
  openPostgres,
  type Postgres,
  type PostgresOptions,
} from '../index.js';
import { closedPort, copyMigrations, logSink } from './helpers.js';

describe('stores postgres', () => {
  let server: Awaited<ReturnType<typeof sharedPostgres>>;
  /** The shipped migration files and the version they bring a database to. */
  let ALL: string[] = [];
  let LATEST = 0;
  beforeAll(async () => {
    server = await sharedPostgres();
    ALL = (await readdir(POSTGRES_MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    LATEST = parseInt(ALL.at(-1)!, 10);
  });

  /** A fresh database and a pool on it, both gone at the end of the test. */
  async function fresh(
    opts: Omit<PostgresOptions, 'url'> = {}
  ): Promise<{ db: Postgres; url: string } & AsyncDisposable> {
    const database = await server.createDatabase('stores');
    const db = openPostgres({ url: database.url, ...opts });
    return {
      db,
      url: database.url,
      [Symbol.asyncDispose]: async () => {
        await db.close();
        await database.drop();
      },
    };
  }

  const migrationRows = async (db: Postgres): Promise<{ version: number; name: string; checksum: string }[]> =>
    (
      await db.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM oi_schema_migrations ORDER BY version'
      )
    ).rows;

  it('applies every migration once, and a second run applies nothing', async () => {
    await using t = await fresh();
    expect(ALL.slice(0, 2)).toEqual(['001_init.sql', '002_vector.sql']);
    expect(await migratePostgres(t.db)).toEqual({ applied: ALL, current: LATEST });
    expect(await migratePostgres(t.db)).toEqual({ applied: [], current: LATEST });

    const rows = await migrationRows(t.db);
    const init = await readFile(join(POSTGRES_MIGRATIONS_DIR, '001_init.sql'));
    expect(rows.map((r) => r.name)).toEqual(ALL);
    expect(rows[0]!.checksum).toBe(createHash('sha256').update(init).digest('hex'));
  });

  it('creates the tables, indexes and pgvector the services rely on', async () => {
    await using t = await fresh();
    await migratePostgres(t.db);
    const { rows: indexes } = await t.db.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
    );
    expect(indexes.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['audit_workload_at', 'commands_subject_received_at', 'workloads_pkey'])
    );

    const insertCommand = (status: string): Promise<unknown> =>
      t.db.query(
        `INSERT INTO commands (id, schema, subject, source, ts, request_sha256, status, reply)
         VALUES ($1, 'oi.workload.register.v1', 'oi.v1.cmd.workload.register', 'cli', now(), 'abc', $2, '{}')`,
        [`cmd-${status}`, status]
      );
    await insertCommand('ok');
    await expect(insertCommand('maybe')).rejects.toMatchObject({ code: '23514' });

    const { rows: audit } = await t.db.query<{ detail: unknown; at: Date }>(
      "INSERT INTO audit (actor, action) VALUES ('op', 'pause') RETURNING detail, at"
    );
    expect(audit[0]).toMatchObject({ detail: {}, at: expect.any(Date) });

    const { rows: near } = await t.db.query<{ d: number }>("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector AS d");
    expect(near[0]!.d).toBe(1);
  });

  it('serializes concurrent starts: every run succeeds and each migration is applied once', async () => {
    await using t = await fresh();
    const pools = [1, 2, 3, 4].map(() => openPostgres({ url: t.url, max: 1 }));
    try {
      const results = await Promise.all(pools.map((p) => migratePostgres(p)));
      expect(results.map((r) => r.current)).toEqual([LATEST, LATEST, LATEST, LATEST]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(ALL);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
    expect((await migrationRows(t.db)).map((r) => r.name)).toEqual(ALL);
  });

  it('refuses to start when an applied migration was edited, naming the file', async () => {
    await using t = await fresh();
    await using copy = await copyMigrations(POSTGRES_MIGRATIONS_DIR);
    await migratePostgres(t.db, { dir: copy.dir });
    await appendFile(join(copy.dir, '001_init.sql'), '\n-- an innocent edit\n');

    const err = await migratePostgres(t.db, { dir: copy.dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err).toMatchObject({ code: 'OI_CONFLICT' });
    expect((err as Error).message).toContain(
      '001_init.sql was edited after it was applied; add a new migration instead'
    );
  });

  it('refuses a database migrated by newer code', async () => {
    await using t = await fresh();
    await using copy = await copyMigrations(POSTGRES_MIGRATIONS_DIR);
    await writeFile(join(copy.dir, '999_future.sql'), 'CREATE TABLE future (x int);');
    expect(await migratePostgres(t.db, { dir: copy.dir })).toEqual({
      applied: [...ALL, '999_future.sql'],
      current: 999,
    });
    const { applied } = await migratePostgres(t.db, { dir: copy.dir });
    expect(applied).toEqual([]);

    await expect(migratePostgres(t.db)).rejects.toThrow(
      `schema is at version 999 (999_future.sql) but this code knows migrations up to ${LATEST}:`
    );
  });

  it('rolls back a failing migration, records nothing, and names the file', async () => {
    await using t = await fresh();
    await using copy = await copyMigrations(POSTGRES_MIGRATIONS_DIR);
    await writeFile(join(copy.dir, '998_broken.sql'), 'CREATE TABLE half (x int);\nSELECT no_such_column FROM half;');

    await expect(migratePostgres(t.db, { dir: copy.dir })).rejects.toThrow(
      /migration 998_broken\.sql failed and was rolled back: column "no_such_column" does not exist/
    );
    expect((await migrationRows(t.db)).map((r) => r.name)).toEqual(ALL);
    const { rows } = await t.db.query("SELECT to_regclass('half') AS t");
    expect(rows[0]).toEqual({ t: null });
  });

  it('withTransaction commits what returns and rolls back what throws', async () => {
    await using t = await fresh();
    await t.db.query('CREATE TABLE t (x int)');
    const out = await t.db.withTransaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      return 'done';
    });
    expect(out).toBe('done');

    const boom = new Error('boom');
    await expect(
      t.db.withTransaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2)');
        throw boom;
      })
    ).rejects.toBe(boom);
    expect((await t.db.query('SELECT x FROM t')).rows).toEqual([{ x: 1 }]);
  });

  it('withTransaction reruns once after a serialization failure, discarding the first attempt', async () => {
    await using t = await fresh();
    await t.db.query('CREATE TABLE t (attempt int)');
    let attempts = 0;
    await t.db.withTransaction(async (tx) => {
      attempts += 1;
      await tx.query('INSERT INTO t VALUES ($1)', [attempts]);
      if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    expect(attempts).toBe(2);
    expect((await t.db.query('SELECT attempt FROM t')).rows).toEqual([{ attempt: 2 }]);

    let deadlocks = 0;
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    await expect(
      t.db.withTransaction(() => {
        deadlocks += 1;
        return Promise.reject(deadlock);
      })
    ).rejects.toBe(deadlock);
    expect(deadlocks).toBe(2);
  });

  it('withTransaction survives a real serialization conflict between two sessions', async () => {
    await using t = await fresh();
    await t.db.query('CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)');
    let attempts = 0;
    let interfered = false;
    await t.db.withTransaction(
      async (tx) => {
        attempts += 1;
        await tx.query('SELECT n FROM counter');
        if (!interfered) {
          interfered = true;
          await t.db.query('UPDATE counter SET n = n + 10'); // another session commits in between
        }
        await tx.query('UPDATE counter SET n = n + 1');
      },
      { isolation: 'serializable' }
    );
    expect(attempts).toBe(2);
    expect((await t.db.query('SELECT n FROM counter')).rows).toEqual([{ n: 11 }]);
  });

  it('says how to fix an unreachable server, with code OI_UNAVAILABLE and no password', async () => {
    const port = await closedPort();
    await using db = openPostgres({ url: `postgres://postgres:hunter2@127.0.0.1:${port}/oi` });
    for (const attempt of [db.query('SELECT 1'), db.withTransaction(() => Promise.resolve()), migratePostgres(db)]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err).toMatchObject({ code: 'OI_UNAVAILABLE', retryable: true });
      const message = (err as Error).message;
      expect(message).toContain(`PostgreSQL at postgres://postgres:***@127.0.0.1:${port}/oi is not reachable`);
      expect(message).toContain('start it with `optiinfra up` or set OI_PG_URL');
      expect(message).not.toContain('hunter2');
    }
  });

  it('logs a connection the server drops instead of crashing, then reconnects', async () => {
    const sink = logSink();
    await using t = await fresh({ logger: sink.logger, max: 2, applicationName: 'oi-victim' });
    const held = await t.db.connect();
    await t.db.query('SELECT 1'); // leaves a second, idle connection in the pool
    const killer = openPostgres({ url: t.url });
    try {
      await killer.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'oi-victim'");
    } finally {
      await killer.close();
    }
    await check(
      () => {
        const msgs = sink.lines.map((l) => l.msg);
        return (
          msgs.includes('idle PostgreSQL connection failed') &&
          msgs.includes('PostgreSQL connection failed while in use')
        );
      },
      5000,
      { name: 'both dropped connections logged' }
    );
    held.release(true);
    expect((await t.db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
