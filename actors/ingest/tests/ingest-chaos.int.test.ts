import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Svcm } from '@nats-io/services';
import {
  check,
  startClickHouse,
  startNats,
  startOiProcess,
  type ClickHouseHandle,
  type NatsServerHandle,
  type OiProcess,
} from '../../../testkit/index.js';
import { connectBus, defaultTopology, provision, publish, type Bus } from '../../../bus/index.js';
import { migrateClickHouse, openClickHouse, type ClickHouse } from '../../../stores/index.js';
import { costTelemetryV1, exampleOf, gpuTelemetryV1, noticeV1, subjects } from '../../../schemas/index.js';
import type { IngesterStats } from '../index.js';

const P = 4;
const TTL = 1_500;
const SOURCES = P + 4; // OI_TEL partitions, OI_REC, OI_DEC, OI_EVT, OI_DLQ
const OUTAGE_MS = 30_000;

/** What the publisher got acks for: the totals ClickHouse must end up with. */
interface Published {
  cost: number;
  costUsd: number;
  gpu: number;
  utilPct: number;
  events: number;
}

describe('ingest exactly once under kill -9 (real ingest processes, nats-server, ClickHouse)', () => {
  let nats: NatsServerHandle;
  let server: ClickHouseHandle;
  let ch: ClickHouse;
  let bus: Bus;
  const procs: OiProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    nats = await startNats();
    server = await startClickHouse(); // our own: this test kills it
    ch = await openClickHouse({ url: server.url, database: 'ingest_chaos' });
    await migrateClickHouse(ch);
    bus = await connectBus({ servers: nats.url, name: 'ingest-chaos' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P, ackWaitMs: 2 * TTL }));
    env = {
      OI_NATS_URL: nats.url,
      OI_CLICKHOUSE_URL: server.url,
      OI_CLICKHOUSE_DB: 'ingest_chaos',
      OI_PARTITIONS: String(P),
      OI_LEASE_TTL_MS: String(TTL),
      OI_ACK_WAIT_MS: String(2 * TTL),
      OI_INGEST_BATCH_SIZE: '200',
      OI_INGEST_BATCH_MS: '150',
      OI_INGEST_LAG_INTERVAL_MS: '1000',
      OI_LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(3_000)));
    await bus?.drain();
    await ch?.close();
    await server?.stop();
    await nats?.stop();
  });

  const statsOf = async (): Promise<Map<string, IngesterStats>> => {
    const out = new Map<string, IngesterStats>();
    const client = new Svcm(bus.nc).client({ strategy: 'timer', maxWait: 300 });
    try {
      for await (const s of await client.stats('oi-ingest')) {
        const d = s.endpoints?.[0]?.data as IngesterStats | undefined;
        if (d) out.set(d.ingester, d);
      }
    } catch (err) {
      if (!/no responders/i.test(String((err as Error).message))) throw err;
    }
    return out;
  };
  const held = async (id: string): Promise<number> => (await statsOf()).get(id)?.consumers.length ?? 0;
  const scalar = async (sql: string): Promise<number> => Number(Object.values((await ch.query<object>(sql))[0]!)[0]);

  it('ends with count() equal to the published messages and rollups equal to the published totals', async () => {
    procs.push(startOiProcess('ingest', { ...env, OI_INGEST_ID: 'ing-0' }));
    procs.push(startOiProcess('ingest', { ...env, OI_INGEST_ID: 'ing-1' }));
    await check(async () => (await held('ing-0')) + (await held('ing-1')) === SOURCES, 30_000, {
      name: 'two ingest processes share every consumer',
    });

    const pub: Published = { cost: 0, costUsd: 0, gpu: 0, utilPct: 0, events: 0 };
    const cost = exampleOf(costTelemetryV1);
    const gpu = exampleOf(gpuTelemetryV1);
    let running = true;
    const publisher = (async () => {
      for (let n = 0; running; n++) {
        const w = `wl-${n % 16}`;
        const usd = 1 + (n % 7) * 0.5;
        await publish(
          bus.js,
          subjects.tel('cost', w, cost.node),
          costTelemetryV1,
          { ...cost, workload: w, usd_per_hour: usd },
          { source: 'chaos', retry: { deadlineMs: 10_000 } }
        );
        pub.cost++;
        pub.costUsd += (usd * cost.interval_s) / 3600;
        const util = n % 101;
        const g = { ...gpu, workload: w, gpus: [{ ...gpu.gpus[0]!, util_pct: util }] };
        await publish(bus.js, subjects.tel('gpu', w, gpu.node), gpuTelemetryV1, g, { source: 'chaos' });
        pub.gpu++;
        pub.utilPct += util;
        if (n % 25 === 0) {
          await publish(
            bus.js,
            subjects.evt('supervisor', 'tick', w),
            noticeV1,
            { ...exampleOf(noticeV1), workload: w },
            {
              source: 'chaos',
            }
          );
          pub.events++;
        }
        await sleep(2);
      }
    })();

    // kill -9 an ingest process while batches stream through it
    await check(async () => ((await statsOf()).get('ing-0')?.rows ?? 0) > 100, 20_000, { name: 'ing-0 ingesting' });
    procs[0]!.signal('SIGKILL');
    await procs[0]!.exited;
    await check(async () => (await held('ing-1')) === SOURCES, 20_000, { name: 'ing-1 took every consumer over' });
    const beforeOutage = pub.cost;

    // ClickHouse dies in the middle of the stream and stays down for 30 s
    await server.kill('SIGKILL');
    await sleep(OUTAGE_MS);
    expect(pub.cost - beforeOutage, 'the stream kept flowing while ClickHouse was down').toBeGreaterThan(300);
    await server.restart();
    procs.push(startOiProcess('ingest', { ...env, OI_INGEST_ID: 'ing-2' }));
    await check(async () => (await held('ing-2')) > 0, 30_000, { name: 'ing-2 joined' });
    running = false;
    await publisher;

    let seen = '';
    await check(
      async () => {
        const [cost, gpu, events] = [
          await scalar('SELECT count() FROM tel_cost'),
          await scalar('SELECT count() FROM tel_gpu'),
          await scalar('SELECT count() FROM events'),
        ];
        seen = `cost ${cost}/${pub.cost}, gpu ${gpu}/${pub.gpu}, events ${events}/${pub.events}`;
        return cost === pub.cost && gpu === pub.gpu && events === pub.events;
      },
      120_000,
      { name: 'every published message in ClickHouse' }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message} (${seen})`);
    });
    const ing1 = (await statsOf()).get('ing-1')!;
    expect(ing1.totals.retries, 'ing-1 retried through the outage').toBeGreaterThan(0);
    // messages redelivered after ack_wait while an insert waited were recognised, not inserted twice
    expect(ing1.totals.duplicates).toBeGreaterThan(0);

    // raw count() without FINAL: no loss and no duplicate
    expect(await scalar('SELECT count() FROM tel_cost')).toBe(pub.cost);
    expect(await scalar('SELECT count() FROM tel_gpu')).toBe(pub.gpu);
    expect(await scalar('SELECT count() - uniqExact(consumer, seq) FROM tel_gpu')).toBe(0);
    // a reader can see an insert's raw part a moment before its rollup parts: wait for the last one
    await check(
      async () =>
        (await scalar('SELECT sum(samples) FROM tel_cost_1h')) === pub.cost &&
        (await scalar('SELECT sum(samples) FROM tel_gpu_1h')) === pub.gpu &&
        (await scalar('SELECT sum(samples) FROM tel_cost_1m')) === pub.cost &&
        (await scalar('SELECT sum(samples) FROM tel_gpu_1m')) === pub.gpu,
      10_000,
      { name: 'rollups caught up' }
    );
    for (const r of ['1m', '1h']) {
      expect(await scalar(`SELECT sum(samples) FROM tel_cost_${r}`)).toBe(pub.cost);
      expect(await scalar(`SELECT sum(cost_usd) FROM tel_cost_${r}`)).toBeCloseTo(pub.costUsd, 6);
      expect(await scalar(`SELECT sum(samples) FROM tel_gpu_${r}`)).toBe(pub.gpu);
      expect(await scalar(`SELECT sum(util_pct_sum) FROM tel_gpu_${r}`)).toBe(pub.utilPct);
    }
    expect(await scalar("SELECT count() FROM ingest_lag WHERE consumer = 'oi-ingest-evt'")).toBeGreaterThan(0);
  }, 300_000);
});
