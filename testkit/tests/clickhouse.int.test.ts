import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { describe, expect, it, vi } from 'vitest';
import { freePort, startClickHouse } from '../index.js';

const external = Boolean(process.env.OI_CLICKHOUSE_URL);

describe('testkit startClickHouse', () => {
  it('answers /ping and reports version 26.7', async () => {
    await using ch = await startClickHouse();
    expect(await (await fetch(`${ch.url}/ping`)).text()).toBe('Ok.\n');
    const version = await (await fetch(ch.url, { method: 'POST', body: 'SELECT version()' })).text();
    expect(version).toMatch(/^26\.7\./);
  });

  it('stores DateTime64, LowCardinality and TTL columns in a MergeTree of a created database', async () => {
    await using ch = await startClickHouse();
    await using db = await ch.createDatabase('tel');
    const client = createClient({ url: db.url });
    try {
      await client.command({
        query: `CREATE TABLE samples (
            ts DateTime64(3, 'UTC'), gpu LowCardinality(String), util Float32
          ) ENGINE = MergeTree ORDER BY (gpu, ts) TTL toDateTime(ts) + INTERVAL 30 DAY`,
      });
      const now = Date.now();
      await client.insert({
        table: 'samples',
        format: 'JSONEachRow',
        values: [
          { ts: now, gpu: 'h100-0', util: 0.5 },
          { ts: now + 1, gpu: 'h100-1', util: 0.75 },
        ],
      });
      const rs = await client.query({
        query: 'SELECT gpu, util, toUnixTimestamp64Milli(ts) AS ms FROM samples WHERE gpu = {gpu:String}',
        query_params: { gpu: 'h100-1' },
        format: 'JSONEachRow',
      });
      const rows = await rs.json<{ gpu: string; util: number; ms: number | string }>();
      expect(rows.map((r) => ({ ...r, ms: Number(r.ms) }))).toEqual([{ gpu: 'h100-1', util: 0.75, ms: now + 1 }]);
      const ddl = await client.query({ query: 'SHOW CREATE TABLE samples', format: 'TabSeparatedRaw' });
      expect(await ddl.text()).toMatch(/LowCardinality[\s\S]*TTL toDateTime\(ts\) \+ toIntervalDay\(30\)/);
    } finally {
      await client.close();
    }
    await db.drop();
    const left = await (await fetch(ch.url, { method: 'POST', body: `EXISTS DATABASE ${db.name}` })).text();
    expect(left.trim()).toBe('0');
  });

  it.skipIf(external)('keeps data across restart and kill -9, and cleans up on stop', async () => {
    const ch = await startClickHouse();
    const run = async (sql: string): Promise<string> => {
      const res = await fetch(ch.url, { method: 'POST', body: sql });
      const body = await res.text();
      if (!res.ok) throw new Error(body);
      return body.trim();
    };
    await run('CREATE TABLE kept (v UInt32) ENGINE = MergeTree ORDER BY v');
    await run('INSERT INTO kept VALUES (1), (2)');

    await ch.restart();
    expect(await run('SELECT sum(v) FROM kept')).toBe('3');

    const url = ch.url;
    await ch.kill();
    await expect(run('SELECT 1')).rejects.toThrow();
    await ch.restart();
    expect(ch.url).toBe(url);
    expect(await run('SELECT sum(v) FROM kept')).toBe('3');

    await ch.stop();
    await ch.stop();
    expect(existsSync(ch.path)).toBe(false);
  });

  it.skipIf(external)('uses the server named by OI_CLICKHOUSE_URL, databases included', async () => {
    await using local = await startClickHouse();
    vi.stubEnv('OI_CLICKHOUSE_URL', local.url);
    try {
      await using ext = await startClickHouse();
      expect(ext.url).toBe(local.url);
      await using db = await ext.createDatabase();
      const res = await fetch(local.url, { method: 'POST', body: `EXISTS DATABASE ${db.name}` });
      expect((await res.text()).trim()).toBe('1');
      await expect(ext.restart()).rejects.toThrow(/OI_CLICKHOUSE_URL points at an external server/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.skipIf(external)('keeps a given path on stop and reuses its data (optiinfra up)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'oi-ch-keep-'));
    try {
      const path = join(root, 'ch');
      const httpPort = await freePort();
      const first = await startClickHouse({ path, httpPort });
      expect(first.url).toBe(`http://127.0.0.1:${httpPort}`);
      await fetch(first.url, { method: 'POST', body: 'CREATE TABLE kept (v UInt8) ENGINE = MergeTree ORDER BY v' });
      await fetch(first.url, { method: 'POST', body: 'INSERT INTO kept VALUES (7)' });
      await first.stop();
      expect(existsSync(path)).toBe(true);

      await using second = await startClickHouse({ path, httpPort });
      const res = await fetch(second.url, { method: 'POST', body: 'SELECT v FROM kept' });
      expect((await res.text()).trim()).toBe('7');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
