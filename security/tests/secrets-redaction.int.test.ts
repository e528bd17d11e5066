import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverPolicy } from '@nats-io/jetstream';
import {
  check,
  freePort,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../testkit/index.js';
import { connectBus, request, type Bus } from '../../bus/index.js';
import {
  exampleOf,
  gpuTelemetryV1,
  listWorkloadsV1,
  registerWorkloadV1,
  STREAMS,
  subjects,
} from '../../schemas/index.js';
import { CredentialStore, principal, SERVICE_ROLES, type Role } from '../index.js';

const P = 4;
const NODE = 'sec-n1';
const WL = 'wl-sec';

/**
 * A full process set under authorization with every kind of secret set, fed input that
 * carries those secrets; then every byte the run produced (stdout/stderr of each process,
 * the nats-server log, every event and every dead letter, payloads decoded) is searched.
 */
describe('security secrets never reach a log line, an event or a dead letter (real processes)', () => {
  let dir: string;
  let store: CredentialStore;
  let nats: NatsServerHandle;
  let pg: TestDatabase;
  let chDb: TestDatabase;
  let admin: Bus;
  let operator: Bus;
  const procs: OiProcess[] = [];
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oi-secrets-'));
    store = new CredentialStore(join(dir, 'creds'));
    for (const role of SERVICE_ROLES) await store.ensure(principal(role));
    await store.ensure(principal('edge', { node: NODE }));
    await store.ensure(principal('operator', { name: 'alice' }));
    nats = await startNats({ configFile: await store.writeAuthConfig() });

    secrets.llm = `sk-test-${randomBytes(18).toString('hex')}`;
    secrets.tier3 = randomBytes(32).toString('base64url');
    secrets.pg = `pgpw-${randomBytes(12).toString('hex')}`;
    secrets.webhook = `hooktoken${randomBytes(12).toString('hex')}`;
    for (const user of ['supervisor', 'host', 'ingest', 'notify', `edge-${NODE}`]) {
      secrets[`nats:${user}`] = await store.password(user);
    }
    const tier3File = join(dir, 'tier3.key');
    await writeFile(tier3File, secrets.tier3 + '\n', { mode: 0o600 });

    pg = await (await sharedPostgres()).createDatabase('secrets');
    const ch = await sharedClickHouse();
    chDb = await ch.createDatabase('secrets');
    // trust auth ignores the password, so it can sit in the URL like a production one
    const pgUrl = pg.url.replace('postgres://postgres@', `postgres://postgres:${secrets.pg}@`);
    expect(pgUrl).toContain(secrets.pg);
    const base = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: pgUrl,
      OI_CLICKHOUSE_URL: ch.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: String(P),
      OI_LEASE_TTL_MS: '2000',
      OI_ACK_WAIT_MS: '4000',
      OI_LOG_LEVEL: 'debug',
      OI_LLM_API_KEY: secrets.llm,
      OI_TIER3_KEY_FILE: tier3File,
      OI_NOTIFY_WEBHOOKS: JSON.stringify([
        { url: `http://127.0.0.1:9/hooks/${secrets.webhook}`, events: ['pending_approval'] },
      ]),
      OI_INGEST_BATCH_MS: '200',
    };
    const as = (user: string): Record<string, string> => ({
      ...base,
      OI_NATS_USER: user,
      OI_NATS_PASS: '',
      OI_NATS_PASS_FILE: store.passwordFile(user),
    });
    procs.push(startOiProcess('supervisor', as('supervisor')));
    admin = await connectBus({
      servers: nats.url,
      name: 'test-admin',
      user: 'admin',
      pass: await store.password('admin'),
    });
    operator = await connectBus({
      servers: nats.url,
      name: 'test-operator',
      user: 'op-alice',
      pass: await store.password('op-alice'),
    });
    await check(
      () => request(operator.nc, subjects.cmd('workload', 'list'), listWorkloadsV1, {}, { source: 'cli:alice' }),
      60_000,
      { name: 'supervisor answering commands' }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${procs[0]!.getLog().slice(-3_000)}`);
    });
    for (const role of ['host', 'ingest', 'notify'] as Role[]) procs.push(startOiProcess(role, as(role)));
    procs.push(
      startOiProcess('edge', {
        ...as(`edge-${NODE}`),
        OI_EDGE_NODE: NODE,
        OI_EDGE_WORKLOAD: WL,
        OI_EDGE_ENGINE: 'sim',
        OI_EDGE_ENGINE_PORT: String(await freePort()),
        OI_EDGE_STATE_DIR: join(dir, 'edge'),
        OI_EDGE_TELEMETRY_MS: '500',
        OI_EDGE_SIM_SPEED: '20',
        OI_EDGE_ENGINE_ARGS: '--max-model-len 4096',
      })
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(3_000)));
    await admin?.drain();
    await operator?.drain();
    await pg?.drop();
    await chDb?.drop();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const readAll = async (stream: string): Promise<string[]> => {
    const info = await admin.jsm.streams.info(stream);
    const out: string[] = [];
    if (info.state.messages === 0) return out;
    const c = await admin.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const iter = await c.fetch({ max_messages: info.state.messages, expires: 3_000 });
    for await (const m of iter) {
      out.push(m.subject, m.string(), JSON.stringify(m.headers ? Object.fromEntries([...m.headers]) : {}));
      if (out.length / 3 >= info.state.messages) break;
    }
    return out;
  };

  it('does its work under per-role credentials and leaks no secret anywhere', async () => {
    // the edge and the host work under their roles: telemetry in, partitions taken
    await check(
      async () => {
        const info = await admin.jsm.streams.info(STREAMS.tel, { subjects_filter: `oi.v1.tel.*.*.${WL}.${NODE}` });
        return Object.keys(info.state.subjects ?? {}).length > 0;
      },
      // the edge compiles, starts its engine and waits for it to be healthy: slow on a loaded machine
      180_000,
      { name: 'edge telemetry stored' }
    ).catch((err: unknown) => {
      const logs = procs.map((p) => `--- ${p.name}\n${p.getLog().slice(-1_500)}`).join('\n');
      throw new Error(`${(err as Error).message}\n${logs}\n--- nats\n${nats.getLog().slice(-1_500)}`);
    });

    // input carrying the secrets: an invalid telemetry message (the host dead-letters it) ...
    const bad = {
      ...exampleOf(gpuTelemetryV1),
      workload: WL,
      node: NODE,
      gpus: `llm=${secrets.llm} tier3=${secrets.tier3} pg=postgres://u:${secrets.pg}@db/x`,
    };
    const badEnv = {
      schema: gpuTelemetryV1.id,
      id: '01JSEC0000000000000000000A',
      ts: new Date().toISOString(),
      source: 'x',
      data: bad,
    };
    await admin.js.publish(subjects.tel('gpu', WL, NODE), JSON.stringify(badEnv), { msgID: badEnv.id });
    // ... an invalid command (error reply + OI_CMD dead letter) ...
    const rawCmd = JSON.stringify({
      ...badEnv,
      id: '01JSEC0000000000000000000B',
      schema: registerWorkloadV1.id,
      data: { name: secrets.llm },
    });
    const reply = await operator.nc.request(`oi.as.op-alice.${subjects.cmd('workload', 'register')}`, rawCmd, {
      timeout: 5_000,
    });
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(reply.string()).not.toContain(secrets.llm);
    // ... and a valid command whose fields carry a secret, which lands in an event
    const registered = await request(
      operator.nc,
      subjects.cmd('workload', 'register'),
      registerWorkloadV1,
      { workload: WL, name: `named ${secrets.llm}`, model: 'meta-llama/Llama-3.1-8B-Instruct' },
      { source: 'cli:alice' }
    );
    // the supervisor knows the key (its env): the record it answers with names it [redacted]
    expect(JSON.stringify(registered.data)).toContain('named [redacted]');

    await check(async () => (await admin.jsm.streams.info(STREAMS.dlq)).state.messages >= 2, 30_000, {
      name: 'both dead letters written',
    });
    await check(async () => (await admin.jsm.streams.info(STREAMS.evt)).state.messages >= 1, 30_000, {
      name: 'an event written',
    });

    const dlq = await readAll(STREAMS.dlq);
    const evt = await readAll(STREAMS.evt);
    // the dead letter of the telemetry names the field and the rule, and keeps no bytes
    const telDead = dlq.find((s) => s.includes('"stream":"OI_TEL"'));
    expect(telDead).toMatch(/data\.gpus/);
    expect(telDead).toContain('payload_sha256');
    const decoded = dlq
      .map((s) => /"payload_b64":"([^"]+)"/.exec(s)?.[1])
      .filter((b): b is string => !!b)
      .map((b) => Buffer.from(b, 'base64').toString('utf8'));
    const corpus = {
      logs: procs.map((p) => `--- ${p.name}\n${p.getLog()}`).join('\n'),
      nats: nats.getLog(),
      events: evt.join('\n'),
      dlq: [...dlq, ...decoded].join('\n'),
    };
    expect(corpus.logs.length).toBeGreaterThan(1_000);
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(corpus)) {
      for (const [name, value] of Object.entries(secrets)) {
        for (const form of [value, Buffer.from(value).toString('base64')])
          if (text.includes(form)) leaks.push(`${name} in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
    // and every role did its job inside its permissions
    expect(nats.getLog().match(/(Publish|Subscription) Violation[^\n]*/g) ?? []).toEqual([]);
  }, 300_000);
});
