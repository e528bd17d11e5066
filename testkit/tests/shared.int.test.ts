import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, sharedClickHouse, sharedPostgres } from '../index.js';
import type { TestDatabase } from '../index.js';

describe('testkit shared servers', () => {
  let pgDb: TestDatabase;
  let chDb: TestDatabase;
  beforeAll(async () => {
    pgDb = await (await sharedPostgres()).createDatabase('shared');
    chDb = await (await sharedClickHouse()).createDatabase('shared');
  });
  afterAll(async () => {
    await pgDb.drop();
    await chDb.drop();
  });

  it('hands every caller in this worker the same server', async () => {
    const [a, b] = await Promise.all([sharedPostgres(), sharedPostgres()]);
    expect(a).toBe(b);
    expect(await sharedClickHouse()).toBe(await sharedClickHouse());
  });

  it('gives this file its own databases', async () => {
    const client = new pg.Client({ connectionString: pgDb.url });
    await client.connect();
    try {
      expect((await client.query('SELECT current_database() AS db')).rows).toEqual([{ db: pgDb.name }]);
    } finally {
      await client.end();
    }
    const ch = await sharedClickHouse();
    const res = await fetch(ch.url, { method: 'POST', body: `EXISTS DATABASE ${chDb.name}` });
    expect((await res.text()).trim()).toBe('1');
  });
});

// A process with servers that dies without stopping them must not leak them.
const FIXTURE = fileURLToPath(new URL('./fixtures/hold-servers.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie is gone too
  } catch {
    return false;
  }
}

async function runFixture(mode: 'hold' | 'end'): Promise<{
  child: ReturnType<typeof spawn>;
  report: { pids: number[]; dirs: string[] };
  exited: Promise<NodeJS.Signals | number | null>;
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], { cwd: REPO, stdio: 'pipe' });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code))
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void exited.then((how) => reject(new Error(`fixture ended (${how}) before reporting: ${err}`)));
  });
  return { child, report: JSON.parse(line) as { pids: number[]; dirs: string[] }, exited };
}

describe('testkit reaper', () => {
  it('kills the servers and removes their dirs when the process gets SIGTERM', async () => {
    const { child, report, exited } = await runFixture('hold');
    expect(report.pids.every(alive)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    await check(() => !report.pids.some(alive), 5000, { name: 'servers gone' });
    expect(report.dirs.filter((d) => existsSync(d))).toEqual([]);
  });

  it('lets a script that used a shared server end on its own, stopping the server', async () => {
    const { report, exited } = await runFixture('end');
    expect(await exited).toBe(0);
    await check(() => !report.pids.some(alive), 5000, { name: 'servers gone' });
    expect(report.dirs.filter((d) => existsSync(d))).toEqual([]);
  });
});
