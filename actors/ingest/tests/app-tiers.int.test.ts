import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  type NatsServerHandle,
  type TestDatabase,
} from '../../../testkit/index.js';
import {
  connectBus,
  consume,
  defaultTopology,
  listDeadLetters,
  provision,
  publish,
  telConsumerName,
  type Bus,
  type ConsumeHandle,
} from '../../../bus/index.js';
import {
  migrateClickHouse,
  migratePostgres,
  openClickHouse,
  openPostgres,
  type ClickHouse,
  type Postgres,
} from '../../../stores/index.js';
import {
  APP_TELEMETRY_TIERS,
  appTelemetryT1V1,
  appTelemetryT2V1,
  appTelemetryT3V1,
  exampleOf,
  partitionOf,
  STREAMS,
  subjects,
  type AppTierTelemetry,
} from '../../../schemas/index.js';
import { ContentVault } from '../../application/content-vault.js';
import { ingestConsumerSpecs, startIngester, type Ingester } from '../index.js';

const P = 4;
const WL = 'wl-private';
const SECRET = 'my card number is 4111 1111 1111 1111';
const TIER3_PROMPT = 'Draft a reply to the tenant about clause 7';

describe('ingest of privacy-tiered app telemetry (real nats-server, ClickHouse, PostgreSQL)', () => {
  let nats: NatsServerHandle;
  let chDb: TestDatabase;
  let pgDb: TestDatabase;
  let ch: ClickHouse;
  let pg: Postgres;
  let bus: Bus;
  let ingester: Ingester;
  let agent: ConsumeHandle;

  beforeAll(async () => {
    nats = await startNats();
    chDb = await (await sharedClickHouse()).createDatabase('ingest_tiers');
    ch = await openClickHouse({ url: (await sharedClickHouse()).url, database: chDb.name });
    await migrateClickHouse(ch);
    pgDb = await (await sharedPostgres()).createDatabase('ingest_tiers');
    pg = openPostgres({ url: pgDb.url });
    await migratePostgres(pg);
    bus = await connectBus({ servers: nats.url, name: 'ingest-tiers-test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P, ackWaitMs: 5_000 }));
    await provision(bus.jsm, bus.kvm, {
      partitions: P,
      streams: [],
      consumers: ingestConsumerSpecs({ partitions: P, maxAckPending: 100, ackWaitMs: 5_000 }),
      kv: [],
    });
    ingester = await startIngester({
      bus,
      ch,
      partitions: P,
      ingestId: 'ingest-tiers-1',
      leaseTtlMs: 1_500,
      batchSize: 50,
      batchMs: 100,
      lagIntervalMs: 600_000,
      contentStore: new ContentVault(pg, randomBytes(32)),
    });
    // the application agent's consumer of the same partition reads (and refuses) the same bytes
    agent = await consume<AppTierTelemetry>(bus.js, {
      stream: STREAMS.tel,
      consumer: telConsumerName(partitionOf(WL, P)),
      accept: APP_TELEMETRY_TIERS,
      source: 'agent-test',
      handler: () => Promise.resolve(),
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await ingester?.stop();
    await bus?.drain();
    await ch?.close();
    await pg?.close();
    await chDb?.drop();
    await pgDb?.drop();
    await nats?.stop();
  });

  /** Every stored OI_TEL message, read back one sequence at a time (erased ones are gone). */
  async function streamTexts(): Promise<string[]> {
    const info = await bus.jsm.streams.info(STREAMS.tel);
    const out: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await bus.jsm.streams.getMessage(STREAMS.tel, { seq }).catch(() => null);
      if (m) out.push(new TextDecoder().decode(m.data));
    }
    return out;
  }

  /** Every row of every ClickHouse table of this database, as text. */
  async function clickhouseText(): Promise<string> {
    const tables = await ch.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('View', 'MaterializedView')"
    );
    expect(tables.map((t) => t.name)).toContain('tel_app_tiers');
    const parts = await Promise.all(tables.map((t) => ch.query(`SELECT * FROM ${t.name}`)));
    return JSON.stringify(parts);
  }

  /** Every row of every PostgreSQL table, as text. */
  async function postgresText(): Promise<string> {
    const { rows } = await pg.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    );
    expect(rows.map((r) => r.t)).toContain('app_content');
    const parts: string[] = [];
    for (const { t } of rows) {
      const dump = await pg.query<{ j: string }>(`SELECT row_to_json(x)::text AS j FROM "${t}" x`);
      parts.push(...dump.rows.map((r) => r.j));
    }
    return parts.join('\n');
  }

  it('lands tier 1 and 2 rows, tier-3 metadata only (content in the vault as ciphertext)', async () => {
    const t1 = { ...exampleOf(appTelemetryT1V1), workload: WL };
    const t2 = { ...exampleOf(appTelemetryT2V1), workload: WL };
    const t3 = {
      ...exampleOf(appTelemetryT3V1),
      workload: WL,
      samples: [{ request_id: 'r-9', prompt: TIER3_PROMPT }],
    };
    const subject = subjects.tel('app', WL, 'gw-1');
    await publish(bus.js, subject, appTelemetryT1V1, t1, { source: 'gateway' });
    await publish(bus.js, subject, appTelemetryT2V1, t2, { source: 'gateway' });
    await publish(bus.js, subject, appTelemetryT3V1, t3, { source: 'gateway' });
    await check(
      async () => Number((await ch.query<{ n: string }>('SELECT count() AS n FROM tel_app_tiers'))[0]!.n) === 3,
      15_000,
      { name: 'three tier rows' }
    );
    const rows = await ch.query<{
      privacy_tier: number;
      request_type: string;
      requests: string | number;
      rag_requests: string | number | null;
      prefix_repeated_share: number | null;
      content_samples: number;
    }>(
      'SELECT privacy_tier, request_type, requests, rag_requests, prefix_repeated_share, content_samples FROM tel_app_tiers ORDER BY privacy_tier'
    );
    // values from schemas/examples.ts (CHAT_ROW: 3900 requests; AGGREGATES: rag 3850, repeated share 0.71)
    expect(rows.map((r) => [r.privacy_tier, r.request_type, Number(r.requests), r.content_samples])).toEqual([
      [1, 'chat', 3900, 0],
      [2, 'chat', 3900, 0],
      [3, 'summarization', 3900, 1],
    ]);
    expect(rows[0]!.rag_requests).toBeNull();
    expect(Number(rows[1]!.rag_requests)).toBe(3850);
    expect(rows[1]!.prefix_repeated_share).toBeCloseTo(0.71, 5);
    const columns = await ch.query<{ name: string }>(
      "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'tel_app_tiers'"
    );
    expect(columns.map((c) => c.name).filter((n) => /sample_|prompt$|completion|content$/.test(n))).toEqual([]);
    const vault = await pg.query<{ n: string }>('SELECT count(*) AS n FROM app_content WHERE workload = $1', [WL]);
    expect(Number(vault.rows[0]!.n)).toBe(1);
    expect(await clickhouseText()).not.toContain('tenant');
    expect(await postgresText()).not.toContain('tenant');
  });

  it('dead-letters tier-1 telemetry carrying content as a hash and erases it from OI_TEL; no store holds it', async () => {
    const leaking = {
      schema: appTelemetryT1V1.id,
      id: 'app-t1-leak-ingest-1',
      ts: new Date().toISOString(),
      source: 'gateway',
      data: { ...(exampleOf(appTelemetryT1V1) as object), workload: WL, samples: [{ prompt: SECRET }] },
    };
    const raw = new TextEncoder().encode(JSON.stringify(leaking));
    // a producer that skips validation
    const ack = await bus.js.publish(subjects.tel('app', WL, 'gw-1'), raw, { msgID: leaking.id });
    await check(async () => (await listDeadLetters(bus, { stream: STREAMS.tel })).length > 0, 15_000, {
      name: 'dead letter stored',
    });
    // both readers refuse it; whichever comes second finds it erased or erases nothing
    await check(
      async () => (await bus.jsm.streams.getMessage(STREAMS.tel, { seq: ack.seq }).catch(() => null)) === null,
      15_000,
      {
        name: 'original erased',
      }
    );
    const letters = await listDeadLetters(bus, { stream: STREAMS.tel });
    for (const l of letters) {
      expect(l.envelope.data.schema).toBe(appTelemetryT1V1.id);
      expect(l.envelope.data.payload_b64).toBeUndefined();
      expect(l.envelope.data.payload_size).toBe(raw.byteLength);
      expect(l.envelope.data.reason).toMatch(/Unrecognized key: "samples"/);
      expect(JSON.stringify(l.envelope)).not.toContain('4111');
    }
    const stream = await streamTexts();
    expect(stream.length).toBeGreaterThanOrEqual(3); // the three valid tier messages are still there
    expect(stream.filter((t) => t.includes('4111'))).toEqual([]);
    expect(await clickhouseText()).not.toContain('4111');
    expect(await postgresText()).not.toContain('4111');
    expect(ingester.stats().totals.deadLettered + agent.stats.deadLettered).toBeGreaterThanOrEqual(1);
  });
});
