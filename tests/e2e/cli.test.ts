import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  type NatsServerHandle,
  type TestDatabase,
} from '../../testkit/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('error', reject);
    p.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('optiinfra CLI against a running supervisor process', () => {
  let nats: NatsServerHandle;
  let pgDb: TestDatabase;
  let chDb: TestDatabase;
  let supervisor: ChildProcess;
  let supervisorLog = '';
  let nc: NatsConnection;
  let env: Record<string, string>;

  beforeAll(async () => {
    nats = await startNats();
    pgDb = await (await sharedPostgres()).createDatabase('cli');
    const ch = await sharedClickHouse();
    chDb = await ch.createDatabase('cli');
    env = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: pgDb.url,
      OI_CLICKHOUSE_URL: ch.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: '4',
      OI_LOG_LEVEL: 'info',
    };
    supervisor = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', 'supervisor'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    supervisor.stderr!.on('data', (d: Buffer) => (supervisorLog += d.toString()));
    nc = await connect({ servers: nats.url });
    await check(
      async () => (await nc.request('$SRV.PING.oi-workload', '', { timeout: 500 }).catch(() => null)) !== null,
      60_000,
      { name: 'supervisor serving' }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\nsupervisor log:\n${supervisorLog}`);
    });
  });

  afterAll(async () => {
    await nc?.close();
    if (supervisor && supervisor.exitCode === null) {
      supervisor.kill('SIGKILL');
    }
    await pgDb?.drop();
    await chDb?.drop();
    await nats?.stop();
  });

  it('cmd registers a workload and prints the reply; a bad payload names the field and rule', async () => {
    const ok = await cli(
      ['cmd', 'workload.register', '{"workload":"wl-cli","name":"chat","model":"m"}', '--id', 'cli-cmd-000001'],
      env
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const reply = JSON.parse(ok.stdout) as {
      schema: string;
      corr: string;
      data: { workload: string; revision: number };
    };
    expect(reply).toMatchObject({
      schema: 'oi.cmd.workload.record.v1',
      corr: 'cli-cmd-000001',
      data: { workload: 'wl-cli', revision: 1 },
    });

    const again = await cli(
      ['cmd', 'workload.register', '{"workload":"wl-cli","name":"chat","model":"m"}', '--id', 'cli-cmd-000001'],
      env
    );
    expect((JSON.parse(again.stdout) as typeof reply).data).toEqual(reply.data);

    // a full envelope skips local validation, so the service answers and dead-letters it
    const envelope = JSON.stringify({
      schema: 'oi.cmd.workload.register.v1',
      id: 'cli-bad-000001',
      ts: new Date().toISOString(),
      source: 'cli:test',
      data: { workload: 'wl-cli2', name: 'chat', model: 'm', privacy_tier: 7 },
    });
    const bad = await cli(['cmd', 'workload.register', envelope], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/OI_INVALID_PAYLOAD/);
    expect(bad.stderr).toMatch(/data\.privacy_tier: .*\(too_big\)/);
    expect(bad.stderr).toMatch(/next: send an envelope/);

    // data alone is validated before sending
    const local = await cli(['cmd', 'workload.register', '{"workload":"wl cli"}'], env);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/data\.workload/);
  });

  it('dlq list shows the dead letter and redrive applies the fix once', async () => {
    const list = await cli(['dlq', 'list', '--stream', 'OI_CMD'], env);
    expect(list.code).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.includes('oi.v1.cmd.workload.register'));
    expect(line).toMatch(/data\.privacy_tier/);
    const seq = line!.match(/^#(\d+)/)![1]!;
    const show = await cli(['dlq', 'show', seq], env);
    expect(JSON.parse(show.stdout)).toMatchObject({ stream: 'OI_CMD', subject: 'oi.v1.cmd.workload.register' });

    const fixed = await cli(
      ['dlq', 'redrive', seq, '--data', '{"workload":"wl-cli2","name":"chat","model":"m","privacy_tier":3}'],
      env
    );
    expect(fixed.stderr).toBe('');
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      redriven: Number(seq),
      reply: { data: { workload: 'wl-cli2', privacy_tier: 3 } },
    });
    const twice = await cli(['dlq', 'redrive', seq, '--data', '{"workload":"wl-cli2","name":"chat","model":"m"}'], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/OI_NOT_FOUND/);
  });

  it('watch replays events and status lists the service and streams', async () => {
    const watch = await cli(['watch', 'oi.v1.evt.workload.registered.*', '--history', '--count', '2'], env);
    expect(watch.code).toBe(0);
    const events = watch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { subject: string });
    expect(events.map((e) => e.subject)).toEqual([
      'oi.v1.evt.workload.registered.wl-cli',
      'oi.v1.evt.workload.registered.wl-cli2',
    ]);
    const status = await cli(['status'], env);
    expect(status.stdout).toMatch(/oi-workload 1\.0\.0 .*oi\.v1\.cmd\.workload\.register/);
    expect(status.stdout).toMatch(/OI_TEL: 0 messages, 4 consumers/);
  });

  it('the supervisor process stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => supervisor.once('exit', (code) => r(code)));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(supervisorLog).toMatch(/"msg":"supervisor ready"/);
    expect(supervisorLog).not.toMatch(/"level":50/);
  });
});
