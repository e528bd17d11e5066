import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedClickHouse } from '../../testkit/index.js';
import {
  CLICKHOUSE_MIGRATIONS_DIR,
  MigrationError,
  StoreUnavailableError,
  migrateClickHouse,
  openClickHouse,
  type ClickHouse,
} from '../index.js';
import { closedPort, copyMigrations, logSink } from './helpers.js';

interface EventRow {
  ts: string;
  id: string;
  schema: string;
  subject: string;
  source: string;
  workload: string;
  domain: string;
  event: string;
  data: string;
}

const event = (id: string, ts: string, workload = 'wl-42'): EventRow => ({
  ts,
  id,
  schema: 'oi.event.workload-registered.v1',
  subject: `oi.v1.evt.workload.registered.${workload}`,
  source: 'supervisor',
  workload,
  domain: 'workload',
  event: 'registered',
  data: JSON.stringify({ revision: 1, note: "it's {quoted}" }),
});

describe('stores clickhouse', () => {
  let server: Awaited<ReturnType<typeof sharedClickHouse>>;
  /** The shipped migration files and the version they bring a database to. */
  let ALL: string[] = [];
  let LATEST = 0;
  beforeAll(async () => {
    server = await sharedClickHouse();
    ALL = (await readdir(CLICKHOUSE_MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    LATEST = parseInt(ALL.at(-1)!, 10);
  });

  /** A fresh database and a client on it, both gone at the end of the test. */
  async function fresh(): Promise<{ ch: ClickHouse; name: string } & AsyncDisposable> {
    const database = await server.createDatabase('stores');
    const ch = await openClickHouse({ url: server.url, database: database.name });
    return {
      ch,
      name: database.name,
      [Symbol.asyncDispose]: async () => {
        await ch.close();
        await database.drop();
      },
    };
  }

  it('applies the migrations once, and a second run applies nothing', async () => {
    const sink = logSink();
    await using t = await fresh();
    expect(ALL[0]).toBe('001_events.sql');
    expect(await migrateClickHouse(t.ch, { logger: sink.logger })).toEqual({ applied: ALL, current: LATEST });
    expect(await migrateClickHouse(t.ch)).toEqual({ applied: [], current: LATEST });
    expect(sink.lines.filter((l) => l.msg === 'applied ClickHouse migration')).toHaveLength(ALL.length);
    const rows = await t.ch.query<{ name: string }>('SELECT name FROM oi_schema_migrations ORDER BY version');
    expect(rows.map((r) => r.name)).toEqual(ALL);
  });

  it('creates events partitioned by day, ordered by workload and time, kept 90 days', async () => {
    await using t = await fresh();
    await migrateClickHouse(t.ch);
    const [table] = await t.ch.query<{ engine: string; engine_full: string }>(
      'SELECT engine, engine_full FROM system.tables WHERE database = {db:String} AND name = {name:String}',
      { db: t.name, name: 'events' }
    );
    expect(table?.engine).toBe('MergeTree');
    expect(table?.engine_full).toContain(
      'PARTITION BY toDate(ts) ORDER BY (workload, ts, id) TTL toDateTime(ts) + toIntervalDay(90)'
    );
    const columns = await t.ch.query<{ name: string; type: string }>(
      'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String} ORDER BY position',
      { db: t.name, table: 'events' }
    );
    expect(columns.slice(0, 3)).toEqual([
      { name: 'ts', type: "DateTime64(3, 'UTC')" },
      { name: 'id', type: 'String' },
      { name: 'schema', type: 'LowCardinality(String)' },
    ]);
  });

  it('round-trips DateTime64 milliseconds through insert, query_params and select', async () => {
    await using t = await fresh();
    await migrateClickHouse(t.ch);
    // recent times: rows older than the 90-day TTL may be merged away at once
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000 + 123;
    const at = (ms: number): string => new Date(base + ms).toISOString();
    await t.ch.insert('events', [event('e1', at(0)), event('e2', at(1)), event('e3', at(2), 'wl-7')]);
    const rows = await t.ch.query<Pick<EventRow, 'ts' | 'id' | 'data'>>(
      `SELECT ts, id, data FROM events
       WHERE workload = {workload:String} AND ts >= {from:DateTime64(3)} ORDER BY ts`,
      { workload: 'wl-42', from: new Date(base + 1) }
    );
    expect(rows).toEqual([{ ts: at(1), id: 'e2', data: event('e2', '').data }]);
  });

  it('drops events older than the TTL', async () => {
    await using t = await fresh();
    await migrateClickHouse(t.ch);
    const old = new Date(Date.now() - 91 * 86_400_000).toISOString();
    await t.ch.insert('events', [event('old', old), event('new', new Date().toISOString())]);
    await t.ch.command('OPTIMIZE TABLE events FINAL');
    expect(await t.ch.query('SELECT id FROM events')).toEqual([{ id: 'new' }]);
  });

  it('lets concurrent starts race: both succeed and the version is read once', async () => {
    await using t = await fresh();
    const other = await openClickHouse({ url: server.url, database: t.name });
    try {
      const results = await Promise.all([migrateClickHouse(t.ch), migrateClickHouse(other)]);
      expect(results.map((r) => r.current)).toEqual([LATEST, LATEST]);
    } finally {
      await other.close();
    }
    expect(await migrateClickHouse(t.ch)).toEqual({ applied: [], current: LATEST });
  });

  it('refuses an edited migration and a database newer than the code', async () => {
    await using t = await fresh();
    await using copy = await copyMigrations(CLICKHOUSE_MIGRATIONS_DIR);
    await writeFile(join(copy.dir, '900_more.sql'), 'CREATE TABLE IF NOT EXISTS more (x UInt8) ENGINE = Memory;\n');
    expect(await migrateClickHouse(t.ch, { dir: copy.dir })).toEqual({
      applied: [...ALL, '900_more.sql'],
      current: 900,
    });

    await expect(migrateClickHouse(t.ch)).rejects.toThrow(
      `ClickHouse schema is at version 900 (900_more.sql) but this code knows migrations up to ${LATEST}:`
    );
    await appendFile(join(copy.dir, '001_events.sql'), '-- edited\n');
    const err = await migrateClickHouse(t.ch, { dir: copy.dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain(
      '001_events.sql was edited after it was applied; add a new migration instead'
    );
  });

  it('names the file and statement that failed, and reruns the whole file once fixed', async () => {
    await using t = await fresh();
    await using copy = await copyMigrations(CLICKHOUSE_MIGRATIONS_DIR);
    const first = 'CREATE TABLE IF NOT EXISTS rollups (x UInt8) ENGINE = Memory\n;\n';
    await writeFile(join(copy.dir, '900_rollups.sql'), `${first}ALTER TABLE rollups ADD COLUMN y NoSuchType;\n`);
    await expect(migrateClickHouse(t.ch, { dir: copy.dir })).rejects.toThrow(
      /ClickHouse migration 900_rollups\.sql failed at statement 2 of 2: .*NoSuchType/s
    );
    // no transactions: statement 1 stayed, and the file is not recorded
    expect(
      await t.ch.query('SELECT name FROM system.tables WHERE database = currentDatabase() AND name = {n:String}', {
        n: 'rollups',
      })
    ).toHaveLength(1);

    await writeFile(
      join(copy.dir, '900_rollups.sql'),
      `${first}ALTER TABLE rollups ADD COLUMN IF NOT EXISTS y UInt8;\n`
    );
    expect(await migrateClickHouse(t.ch, { dir: copy.dir })).toEqual({ applied: ['900_rollups.sql'], current: 900 });
  });

  it('creates a missing database on open', async () => {
    await using t = await fresh();
    const name = `${t.name}_extra`;
    const ch = await openClickHouse({ url: server.url, database: name });
    try {
      expect(await ch.query<{ db: string }>('SELECT currentDatabase() AS db')).toEqual([{ db: name }]);
      expect(await ch.ping()).toBe(true);
    } finally {
      await ch.command(`DROP DATABASE IF EXISTS ${name}`);
      await ch.close();
    }
  });

  it('accepts a URL naming the same database, and refuses one naming another', async () => {
    const database = await server.createDatabase('stores');
    try {
      await using ch = await openClickHouse({ url: database.url, database: database.name });
      expect(await ch.query('SELECT currentDatabase() AS db')).toEqual([{ db: database.name }]);
      await expect(openClickHouse({ url: database.url, database: 'other' })).rejects.toThrow(
        `names database ${database.name} but other was asked for`
      );
    } finally {
      await database.drop();
    }
  });

  it('says how to fix an unreachable server, with code OI_UNAVAILABLE', async () => {
    const port = await closedPort();
    const err = await openClickHouse({ url: `http://127.0.0.1:${port}`, database: 'oi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err).toMatchObject({ code: 'OI_UNAVAILABLE' });
    expect((err as Error).message).toContain(`ClickHouse at http://127.0.0.1:${port}/ is not reachable`);
    expect((err as Error).message).toContain('start it with `optiinfra up` or set OI_CLICKHOUSE_URL');
  });
});
