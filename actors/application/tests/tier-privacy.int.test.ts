import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectBus,
  consume,
  defaultTopology,
  provision,
  publish,
  telConsumerName,
  type Bus,
} from '../../../bus/index.js';
import {
  APP_TELEMETRY_TIERS,
  appTelemetryT1V1,
  appTelemetryT3V1,
  exampleOf,
  partitionOf,
  subjects,
  type AppTierTelemetry,
  type DlqEntry,
} from '../../../schemas/index.js';
import { migratePostgres, openPostgres, type Postgres } from '../../../stores/index.js';
import { check, sharedPostgres, startNats, type TestDatabase } from '../../../testkit/index.js';
import { ContentVault } from '../index.js';

const P = 4;
let database: TestDatabase;
let pg: Postgres;

beforeAll(async () => {
  database = await (await sharedPostgres()).createDatabase('tier_privacy');
  pg = openPostgres({ url: database.url });
  await migratePostgres(pg);
});

afterAll(async () => {
  await pg?.close();
  await database?.drop();
});

async function setup(url: string): Promise<Bus> {
  const bus = await connectBus({ servers: url, name: 'tier-test' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P }));
  return bus;
}

describe('actors application privacy tiers through the real bus', () => {
  it('dead-letters tier-1 telemetry that carries content with only its hash, size and reason; tier 3 lands encrypted', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    const wl = 'wl-private';
    const vault = new ContentVault(pg, randomBytes(32));
    const handled: string[] = [];
    const handle = await consume<AppTierTelemetry>(bus.js, {
      stream: 'OI_TEL',
      consumer: telConsumerName(partitionOf(wl, P)),
      accept: APP_TELEMETRY_TIERS,
      source: 'tier-test',
      handler: async (env) => {
        handled.push(env.schema);
        if (env.data.privacy_tier === 3) await vault.storeSamples(env.id, env.ts, env.data);
      },
    });

    const secret = 'my card number is 4111 1111 1111 1111';
    const leaking = {
      schema: appTelemetryT1V1.id,
      id: 'app-t1-leak-0001',
      ts: '2026-11-24T14:40:50Z',
      source: 'gateway',
      data: { ...(exampleOf(appTelemetryT1V1) as object), workload: wl, samples: [{ prompt: secret }] },
    };
    const raw = new TextEncoder().encode(JSON.stringify(leaking));
    // a producer that skips validation: the bus refuses it on the way in
    await bus.js.publish(subjects.tel('app', wl, 'gw-1'), raw, { msgID: leaking.id });
    const t3 = { ...exampleOf(appTelemetryT3V1), workload: wl };
    t3.samples = [{ request_id: 'r-9', prompt: 'Draft a reply to the tenant about clause 7' }];
    await publish(bus.js, subjects.tel('app', wl, 'gw-1'), appTelemetryT3V1, t3, { source: 'gateway' });

    await check(() => handle.stats.deadLettered === 1 && handled.length === 1, 10_000, { name: 'both handled' });
    expect(handled).toEqual([appTelemetryT3V1.id]);

    const dlq = await bus.jsm.streams.getMessage('OI_DLQ', { last_by_subj: 'oi.v1.dlq.OI_TEL' });
    const text = new TextDecoder().decode(dlq!.data);
    expect(text).not.toContain('4111');
    expect(text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
    const entry = (JSON.parse(text) as { data: DlqEntry }).data;
    expect(entry.payload_b64).toBeUndefined();
    expect(entry.payload_sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(entry.payload_size).toBe(raw.byteLength);
    expect(entry.schema).toBe(appTelemetryT1V1.id);
    expect(entry.reason).toMatch(/invalid oi\.tel\.app\.t1\.v1: data: Unrecognized key: "samples"/);
    expect(entry.issues).toEqual([expect.objectContaining({ path: 'data', rule: 'unrecognized_keys' })]);

    // PostgreSQL holds the tier-3 sample as ciphertext only, and nothing of the refused message
    const dump = await pg.query<{ t: string }>('SELECT row_to_json(c)::text AS t FROM app_content c');
    expect(dump.rows).toHaveLength(1);
    expect(dump.rows[0]!.t).not.toContain('tenant');
    expect(dump.rows[0]!.t).not.toContain('4111');
    await handle.stop();
  });
});
