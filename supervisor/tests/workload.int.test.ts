import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Svcm } from '@nats-io/services';
import { check, sharedPostgres, startNats, type NatsServerHandle, type TestDatabase } from '../../testkit/index.js';
import {
  OiError,
  connectBus,
  defaultTopology,
  listDeadLetters,
  makeEnvelope,
  provision,
  redrive,
  requestEnvelope,
  type Bus,
} from '../../bus/index.js';
import { migratePostgres, openPostgres, type Postgres } from '../../stores/index.js';
import {
  getWorkloadV1,
  listWorkloadsV1,
  registerWorkloadV1,
  registerWorkloadV2,
  subjects,
  updateWorkloadV1,
  type Envelope,
  type WorkloadRecord,
} from '../../schemas/index.js';
import { WORKLOAD_SERVICE, startWorkloadService, type WorkloadService } from '../index.js';

const SPEC = { workload: 'wl-42', name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct' };

/** One supervisor-side stack: its own bus connection, pool and service, restartable. */
class Stack {
  bus!: Bus;
  db!: Postgres;
  svc!: WorkloadService;
  constructor(
    private readonly natsUrl: string,
    private readonly pgUrl: string
  ) {}
  async start(): Promise<this> {
    this.bus = await connectBus({ servers: this.natsUrl, name: 'test-supervisor' });
    await provision(this.bus.jsm, this.bus.kvm, defaultTopology({ partitions: 2, duplicateWindowMs: 1_000 }));
    this.db = openPostgres({ url: this.pgUrl });
    await migratePostgres(this.db);
    this.svc = await startWorkloadService({ bus: this.bus, db: this.db, outboxIntervalMs: 200 });
    return this;
  }
  async stop(): Promise<void> {
    await this.svc.stop();
    await this.bus.drain();
    await this.db.close();
  }
}

async function countRows(db: Postgres, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0]!.n);
}

async function eventIds(bus: Bus, workload: string): Promise<string[]> {
  const info = await bus.jsm.streams.info('OI_EVT', { subjects_filter: `oi.v1.evt.workload.*.${workload}` });
  const out: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage('OI_EVT', { seq }).catch(() => null);
    if (m && m.subject.endsWith(`.${workload}`)) out.push(m.json<Envelope>().id);
  }
  return out;
}

describe('supervisor workload commands', () => {
  let nats: NatsServerHandle;
  let database: TestDatabase;
  let stack: Stack;
  let client: Bus;

  beforeAll(async () => {
    nats = await startNats();
    database = await (await sharedPostgres()).createDatabase('workloads');
    stack = await new Stack(nats.url, database.url).start();
    client = await connectBus({ servers: nats.url, name: 'test-operator' });
  });
  afterAll(async () => {
    await client?.drain();
    await stack?.stop();
    await database?.drop();
    await nats?.stop();
  });

  const send = (env: Envelope, subject = subjects.cmd('workload', 'register')): Promise<Envelope> =>
    requestEnvelope(client.nc, subject, env, { caller: 'alice' });

  it('register stores one row, publishes one event and replies with the record; every retry gets the same', async () => {
    const cmd = makeEnvelope(registerWorkloadV1, SPEC, { source: 'cli:alice' });
    const reply = await send(cmd);
    expect(reply.schema).toBe('oi.cmd.workload.record.v1');
    expect(reply.corr).toBe(cmd.id);
    const record = reply.data as WorkloadRecord;
    expect(record).toMatchObject({ workload: 'wl-42', revision: 1, mode: 'advisory', last_command: cmd.id });
    expect(await countRows(stack.db, 'workloads')).toBe(1);
    expect(await countRows(stack.db, 'commands', 'id = $1', [cmd.id])).toBe(1);
    expect(await countRows(stack.db, 'audit', "actor = 'alice'")).toBe(1);
    await check(async () => (await eventIds(client, 'wl-42')).length === 1, 5_000, { name: 'event published' });
    expect(await eventIds(client, 'wl-42')).toEqual([`${cmd.id}.evt`]);

    // at once
    expect((await send(cmd)).data).toEqual(record);
    // after the JetStream duplicate window (1 s here): PostgreSQL is the record, not the stream
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await send({ ...cmd, ts: new Date().toISOString() })).data).toEqual(record);
    // after restarting every process: nats-server (kill -9), PostgreSQL and the service
    await stack.stop();
    await nats.kill('SIGKILL');
    await nats.restart();
    await (await sharedPostgres()).restart();
    stack = await new Stack(nats.url, database.url).start();
    await check(() => !client.nc.isClosed() && client.nc.info !== undefined, 10_000, { name: 'client reconnected' });
    const again = await check(() => send(cmd).catch(() => undefined), 15_000, {
      name: 'service answers after restart',
    });
    expect(again.data).toEqual(record);

    expect(await countRows(stack.db, 'workloads')).toBe(1);
    expect(await countRows(stack.db, 'commands', 'id = $1', [cmd.id])).toBe(1);
    await new Promise((r) => setTimeout(r, 500)); // an outbox sweep would have run by now
    expect(await eventIds(client, 'wl-42')).toEqual([`${cmd.id}.evt`]);
  });

  it('refuses a second registration of the workload with a new id, and repeats that refusal', async () => {
    const cmd = makeEnvelope(registerWorkloadV1, SPEC, { source: 'cli:bob' });
    const err = await send(cmd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OiError);
    expect((err as OiError).code).toBe('OI_CONFLICT');
    const again = await send(cmd).catch((e: unknown) => e);
    expect((again as OiError).code).toBe('OI_CONFLICT');
    expect(await countRows(stack.db, 'workloads')).toBe(1);
  });

  it('a reused id with a different payload is a conflict, not a silent replay', async () => {
    const cmd = makeEnvelope(registerWorkloadV1, { ...SPEC, workload: 'wl-43' }, { source: 't' });
    await send(cmd);
    const forged = { ...cmd, data: { ...cmd.data, name: 'other' } };
    const err = (await send(forged).catch((e: unknown) => e)) as OiError;
    expect(err.code).toBe('OI_CONFLICT');
    expect(err.issues[0]).toMatchObject({ path: 'id', rule: 'unique_command' });
  });

  it('an invalid payload gets an error naming the field and rule, and lands in the DLQ; redrive applies the fix once', async () => {
    const bad = {
      schema: 'oi.cmd.workload.register.v1',
      id: 'bad-register-0001',
      ts: new Date().toISOString(),
      source: 'cli:carol',
      data: { ...SPEC, workload: 'wl 44', slo: { attainment: 2 } },
    };
    const err = (await send(bad as Envelope).catch((e: unknown) => e)) as OiError;
    expect(err.code).toBe('OI_INVALID_PAYLOAD');
    expect(err.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'data.workload', rule: 'invalid_format' }),
        expect.objectContaining({ path: 'data.slo.attainment', rule: 'too_big' }),
      ])
    );
    expect(err.hint).toMatch(/oi\.cmd\.workload\.register\.v1/);
    const dead = await check(
      async () =>
        (await listDeadLetters(client, { stream: 'OI_CMD' })).find(
          (d) => d.envelope.data.subject === 'oi.v1.cmd.workload.register'
        ),
      5_000,
      { name: 'in DLQ' }
    );
    expect(dead.envelope.data.reason).toMatch(/data\.slo\.attainment/);
    expect(await countRows(stack.db, 'workloads', "workload = 'wl-44'")).toBe(0);

    const result = await redrive(client, dead.seq, { data: { ...SPEC, workload: 'wl-44' } });
    expect((result.reply!.data as WorkloadRecord).workload).toBe('wl-44');
    await expect(redrive(client, dead.seq, { data: { ...SPEC, workload: 'wl-44' } })).rejects.toThrow(/no dead letter/);
    expect(await countRows(stack.db, 'workloads', "workload = 'wl-44'")).toBe(1);
  });

  it('an unknown schema id is refused and dead-lettered', async () => {
    const env = {
      schema: 'oi.cmd.workload.register.v7',
      id: 'unknown-schema-1',
      ts: new Date().toISOString(),
      source: 't',
      data: SPEC,
    };
    const err = (await send(env as Envelope).catch((e: unknown) => e)) as OiError;
    expect(err.code).toBe('OI_UNKNOWN_SCHEMA');
    await check(
      async () =>
        (await listDeadLetters(client, { stream: 'OI_CMD' })).some((d) =>
          d.envelope.data.reason.includes('unknown schema oi.cmd.workload.register.v7')
        ),
      5_000,
      { name: 'in DLQ' }
    );
  });

  it('serves register v2 side by side with v1', async () => {
    const v2 = makeEnvelope(
      registerWorkloadV2,
      { id: 'wl-v2', owner: 'team-search', name: 'search', model: 'Qwen/Qwen2.5-7B-Instruct' },
      { source: 't' }
    );
    const reply = await send(v2, subjects.cmd('workload', 'register', 2));
    expect(reply.schema).toBe('oi.cmd.workload.record.v2');
    expect(reply.data).toMatchObject({ id: 'wl-v2', owner: 'team-search', revision: 1 });
    expect((reply.data as Record<string, unknown>).workload).toBeUndefined();
    // v1 readers see the same workload through get
    const got = await send(
      makeEnvelope(getWorkloadV1, { workload: 'wl-v2' }, { source: 't' }),
      subjects.cmd('workload', 'get')
    );
    expect(got.data).toMatchObject({ workload: 'wl-v2', owner: 'team-search' });
    // a v1 payload on the v2 subject is refused by schema
    const wrong = (await send(
      makeEnvelope(registerWorkloadV1, SPEC, { source: 't' }),
      subjects.cmd('workload', 'register', 2)
    ).catch((e: unknown) => e)) as OiError;
    expect(wrong.code).toBe('OI_WRONG_SCHEMA');
  });

  it('update bumps the revision, checks expected_revision, and get/list read back', async () => {
    const up = await send(
      makeEnvelope(updateWorkloadV1, { workload: 'wl-42', mode: 'semi', expected_revision: 1 }, { source: 't' }),
      subjects.cmd('workload', 'update')
    );
    expect(up.data).toMatchObject({ workload: 'wl-42', mode: 'semi', revision: 2 });
    const stale = (await send(
      makeEnvelope(updateWorkloadV1, { workload: 'wl-42', mode: 'auto', expected_revision: 1 }, { source: 't' }),
      subjects.cmd('workload', 'update')
    ).catch((e: unknown) => e)) as OiError;
    expect(stale.code).toBe('OI_CONFLICT');
    const missing = (await send(
      makeEnvelope(getWorkloadV1, { workload: 'nope' }, { source: 't' }),
      subjects.cmd('workload', 'get')
    ).catch((e: unknown) => e)) as OiError;
    expect(missing.code).toBe('OI_NOT_FOUND');
    const page1 = await send(
      makeEnvelope(listWorkloadsV1, { limit: 2 }, { source: 't' }),
      subjects.cmd('workload', 'list')
    );
    const p1 = page1.data as { items: WorkloadRecord[]; next?: string };
    expect(p1.items.map((w) => w.workload)).toEqual(['wl-42', 'wl-43']);
    const page2 = await send(
      makeEnvelope(listWorkloadsV1, { limit: 2, after: p1.next }, { source: 't' }),
      subjects.cmd('workload', 'list')
    );
    expect((page2.data as { items: WorkloadRecord[] }).items.map((w) => w.workload)).toEqual(['wl-44', 'wl-v2']);
    await check(async () => (await eventIds(client, 'wl-42')).length === 2, 5_000, { name: 'updated event' });
  });

  it('answers $SRV.PING and $SRV.INFO as `nats micro ls/info` read them', async () => {
    const svcClient = new Svcm(client.nc).client({ strategy: 'timer', maxWait: 500 });
    const pings = [];
    for await (const p of await svcClient.ping(WORKLOAD_SERVICE)) pings.push(p);
    expect(pings).toHaveLength(1);
    expect(pings[0]).toMatchObject({
      name: WORKLOAD_SERVICE,
      version: '1.0.0',
      type: 'io.nats.micro.v1.ping_response',
    });
    const infos = [];
    for await (const i of await svcClient.info(WORKLOAD_SERVICE)) infos.push(i);
    expect(infos[0]!.endpoints.map((e) => e.subject).sort()).toEqual([
      'oi.v1.cmd.workload.get',
      'oi.v1.cmd.workload.list',
      'oi.v1.cmd.workload.register',
      'oi.v1.cmd.workload.update',
      'oi.v2.cmd.workload.register',
    ]);
    // the raw protocol, as the nats CLI sends it
    const raw = await client.nc.request('$SRV.INFO.oi-workload', '', { timeout: 1_000 });
    expect(raw.json<{ type: string }>().type).toBe('io.nats.micro.v1.info_response');
    const stats = await client.nc.request('$SRV.STATS.oi-workload', '', { timeout: 1_000 });
    type Stats = {
      endpoints: {
        name: string;
        num_requests: number;
        data: { requests: number; errors: number; errors_by_code: Record<string, number> };
      }[];
    };
    const reg = stats.json<Stats>().endpoints.find((e) => e.name === 'register')!;
    expect(reg.num_requests).toBe(reg.data.requests);
    expect(reg.data.errors_by_code).toMatchObject({ OI_CONFLICT: 3, OI_INVALID_PAYLOAD: 1, OI_UNKNOWN_SCHEMA: 1 });
  });
});
