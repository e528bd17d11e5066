import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { freePort, startPostgres } from '../index.js';

const external = Boolean(process.env.OI_PG_URL);

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('testkit startPostgres', () => {
  it('answers SELECT 1 as PostgreSQL 15', async () => {
    await using server = await startPostgres();
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const [row] = await query<{ one: number; version: string }>(server.url, 'SELECT 1 AS one, version()');
    expect(row).toMatchObject({ one: 1 });
    expect(row!.version).toMatch(/^PostgreSQL 15\./);
  });

  it('creates a database with pgvector and drops it', async () => {
    await using server = await startPostgres();
    const db = await server.createDatabase('Vector-Test');
    expect(db.name).toMatch(/^vector_test_[a-z0-9]+_[0-9a-f]{8}$/);
    await query(db.url, 'CREATE EXTENSION vector');
    await query(db.url, 'CREATE TABLE items (id int, embedding vector(3))');
    await query(db.url, `INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]')`);
    const [nearest] = await query<{ id: number }>(
      db.url,
      `SELECT id FROM items ORDER BY embedding <-> '[0.9,0.1,0]' LIMIT 1`
    );
    expect(nearest?.id).toBe(1);

    await db.drop();
    await db[Symbol.asyncDispose](); // a second drop is a no-op
    const left = await query(server.url, `SELECT 1 FROM pg_database WHERE datname = '${db.name}'`);
    expect(left).toHaveLength(0);
  });

  it.skipIf(external)('keeps data across restart and kill -9, and cleans up on stop', async () => {
    const server = await startPostgres();
    const db = await server.createDatabase();
    await query(db.url, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$before$$)');

    await server.restart();
    expect(await query(db.url, 'SELECT v FROM kept')).toEqual([{ v: 'before' }]);

    const url = server.url;
    await server.kill();
    await expect(query(db.url, 'SELECT 1')).rejects.toThrow();
    await server.restart();
    expect(server.url).toBe(url);
    expect(await query(db.url, 'SELECT v FROM kept')).toEqual([{ v: 'before' }]);
    expect(server.getLog()).toContain('database system is ready to accept connections');

    await server.stop();
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
  });

  it.skipIf(external)('uses the server named by OI_PG_URL, databases included', async () => {
    await using local = await startPostgres();
    vi.stubEnv('OI_PG_URL', local.url);
    try {
      await using ext = await startPostgres();
      expect(ext.url).toBe(local.url);
      await using db = await ext.createDatabase();
      expect(await query(db.url, 'SELECT current_database() AS d')).toEqual([{ d: db.name }]);
      await expect(ext.kill()).rejects.toThrow(/OI_PG_URL points at an external server/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.skipIf(external)('keeps a given dir on stop and reuses its cluster (optiinfra up)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'oi-pg-keep-'));
    await chmod(root, 0o755); // user postgres must reach the dir below
    try {
      const dir = join(root, 'pg');
      const port = await freePort();
      const first = await startPostgres({ dir, port });
      expect(first.port).toBe(port);
      await query(first.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
      await first.stop();
      expect(existsSync(join(dir, 'data', 'PG_VERSION'))).toBe(true);

      await using second = await startPostgres({ dir, port });
      expect(second.getLog()).not.toContain('initdb');
      expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 7 }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
