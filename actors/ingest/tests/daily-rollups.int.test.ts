import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedClickHouse, type TestDatabase } from '../../../testkit/index.js';
import { migrateClickHouse, openClickHouse, type ClickHouse } from '../../../stores/index.js';
import {
  appTelemetryV1,
  costTelemetryV1,
  engineTelemetryV1,
  exampleOf,
  gpuTelemetryV1,
  type AppTelemetry,
  type CostTelemetry,
  type EngineTelemetry,
  type Envelope,
  type GpuTelemetry,
} from '../../../schemas/index.js';
import {
  dailySplit,
  insertBlock,
  planBatch,
  resolveWindow,
  savingsReport,
  sloReport,
  summaryReport,
  toRow,
  type PlannedMessage,
  type TableInsert,
} from '../index.js';

const T0 = Date.parse('2026-11-20T13:00:00Z');
const MIN = 60_000;
/** 20-minute samples for 70 hours: three partial or whole UTC days (20th from 13:00, 21st, 22nd, 23rd to 11:00). */
const SAMPLES = (70 * 60) / 20;
const NODES = [
  ['wa', 'a1'],
  ['wa', 'a2'],
  ['wb', 'b1'],
  ['wc', 'c1'],
] as const;
const CONSUMER = 'oi-ingest-tel-p0';

const env = <T>(schema: string, k: number, i: number, data: T): Envelope<T> => ({
  schema,
  id: `daily-${schema}-${i}-${k}`,
  ts: new Date(T0 + k * 20 * MIN).toISOString(),
  source: 'daily-test',
  data,
});

/** Deterministic, uneven telemetry: scrapes that fail, hours without TTFT, spot and on-demand prices. */
function seedMessages(): Envelope[] {
  const out: Envelope[] = [];
  const engine = exampleOf(engineTelemetryV1) as Extract<EngineTelemetry, { up: true }>;
  const gpu = exampleOf(gpuTelemetryV1);
  const app = exampleOf(appTelemetryV1);
  const cost = exampleOf(costTelemetryV1);
  for (let k = 0; k < SAMPLES; k++) {
    NODES.forEach(([workload, node], i) => {
      const x = (k * 37 + i * 11) % 97;
      const down = x % 13 === 0;
      const e: EngineTelemetry = down
        ? {
            workload,
            node,
            engine: engine.engine,
            model: engine.model,
            window_s: 1200,
            up: false,
            scrape_error: 'timeout',
          }
        : {
            ...engine,
            workload,
            node,
            window_s: 1200,
            generation_tokens_per_s: 50 + x,
            ttft_ms: x % 7 === 0 ? null : { p50: 80 + x, p95: 150 + 3 * x, p99: 400 + 3 * x },
            e2e_ms: x % 5 === 0 ? null : { p50: 900 + x, p95: 2000 + 7 * x, p99: 3000 + 7 * x },
          };
      out.push(env(engineTelemetryV1.id, k, i, e));
      const g: GpuTelemetry = {
        ...gpu,
        workload,
        node,
        gpus: gpu.gpus.map((d) => ({ ...d, util_pct: x, power_w: 100 + 5 * x })),
      };
      out.push(env(gpuTelemetryV1.id, k, i, g));
      const a: AppTelemetry = {
        ...app,
        workload,
        node,
        requests_total: 100 + x,
        requests_failed: x % 4,
        tokens_in: 1000 * x,
        tokens_out: 300 * x,
      };
      out.push(env(appTelemetryV1.id, k, i, a));
      const c: CostTelemetry = {
        ...cost,
        workload,
        node,
        purchase_option: x % 3 === 0 ? 'spot' : 'on_demand',
        usd_per_hour: x % 3 === 0 ? 1.37 : 4.11,
        interval_s: 1200,
      };
      out.push(env(costTelemetryV1.id, k, i, c));
    });
  }
  return out;
}

/** The ingest path: rows as toRow maps them, one block per table with its deduplication token. */
function blocks(messages: readonly Envelope[], firstSeq: number): TableInsert[] {
  const planned: PlannedMessage[] = messages.map((e, i) => ({
    seq: firstSeq + i,
    placement: toRow(e, { seq: firstSeq + i, consumer: CONSUMER, subject: 'oi.v1.tel.0.x' }, 'OI_TEL'),
  }));
  return planBatch(CONSUMER, planned, new Map()).inserts;
}

async function ingest(ch: ClickHouse, messages: readonly Envelope[]): Promise<void> {
  const BATCH = 400;
  for (let i = 0; i < messages.length; i += BATCH) {
    for (const ins of blocks(messages.slice(i, i + BATCH), i + 1)) await insertBlock(ch, ins);
  }
}

const DAILY_SUMS: Record<string, string[]> = {
  gpu: ['samples', 'gpu_samples', 'util_pct_sum', 'util_pct_n', 'power_w_sum', 'power_w_n'],
  engine: ['samples', 'up_samples', 'generation_tokens', 'ttft_p95_ms_sum', 'ttft_n', 'e2e_p95_ms_sum', 'e2e_n'],
  app: ['samples', 'requests_total', 'requests_failed', 'tokens_in', 'tokens_out'],
  cost: ['samples', 'cost_usd', 'instance_seconds', 'gpu_seconds'],
};

type Row = Record<string, string | number>;
const r6 = (v: unknown): number => Math.round(Number(v) * 1e6) / 1e6;

async function perDay(ch: ClickHouse, source: string, daily: boolean): Promise<Row[]> {
  const cols = DAILY_SUMS[source]!.map((c) => `round(sum(${c}), 6) AS ${c}`).join(', ');
  const sql = daily
    ? `SELECT workload, toString(day) AS d, ${cols} FROM tel_${source}_1d GROUP BY workload, d ORDER BY workload, d`
    : `SELECT workload, toString(toStartOfDay(bucket)) AS d, ${cols} FROM tel_${source}_1h GROUP BY workload, d ORDER BY workload, d`;
  return (await ch.query<Row>(sql)).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'workload' || k === 'd' ? v : r6(v)]))
  );
}

describe('ingest daily rollups (real ClickHouse)', () => {
  let db: TestDatabase;
  let ch: ClickHouse;
  const messages = seedMessages();

  beforeAll(async () => {
    const server = await sharedClickHouse();
    db = await server.createDatabase('ingest_daily');
    ch = await openClickHouse({ url: server.url, database: db.name });
    await migrateClickHouse(ch);
    await ingest(ch, messages);
  });
  afterAll(async () => {
    await ch?.close();
    await db?.drop();
  });

  it('holds per workload and day exactly the sums of the hourly rollup, and the worst TTFT of each hour', async () => {
    for (const source of Object.keys(DAILY_SUMS)) {
      const hourly = await perDay(ch, source, false);
      // 3 workloads × 4 days (20th to 23rd)
      expect(hourly).toHaveLength(12);
      expect(await perDay(ch, source, true)).toEqual(hourly);
    }
    // the seeded count: 4 nodes × 210 samples of each source
    const [n] = await ch.query<{ n: string }>('SELECT sum(samples) AS n FROM tel_engine_1d');
    expect(Number(n!.n)).toBe(NODES.length * SAMPLES);
    const fromHours = await ch.query<Row>(
      `SELECT workload, toString(toStartOfDay(bucket)) AS d, toString(arraySort(groupArray((toHour(bucket), m)))) AS hours
       FROM (SELECT workload, bucket, max(ttft_p95_ms_max) AS m FROM tel_engine_1h GROUP BY workload, bucket HAVING sum(ttft_n) > 0)
       GROUP BY workload, d ORDER BY workload, d`
    );
    const fromDays = await ch.query<Row>(
      `SELECT workload, toString(day) AS d, toString(arraySort(arrayZip(m.1, m.2))) AS hours
       FROM (SELECT workload, day, maxMap(ttft_hour_max) AS m FROM tel_engine_1d GROUP BY workload, day)
       ORDER BY workload, d`
    );
    expect(fromHours.length).toBe(12);
    expect(fromDays).toEqual(fromHours);
  });

  it('answers the 30-day-style reports from the daily rollup exactly as from the hourly one', async () => {
    const w = resolveWindow(
      { from: '2026-11-20T15:30:00Z', to: '2026-11-23T08:10:00Z' },
      new Date(T0 + 4 * 86_400_000)
    );
    // two whole days read from the daily tables, hours on both sides from the hourly ones
    expect(dailySplit(w)).toEqual({
      dayFrom: new Date('2026-11-21T00:00:00Z'),
      dayTo: new Date('2026-11-23T00:00:00Z'),
    });
    for (const workload of [undefined, 'wa']) {
      const summary = await summaryReport(ch, w, workload);
      expect(summary.workloads.length).toBe(workload ? 1 : 3);
      expect(summary.workloads[0]!.gpu_samples).toBeGreaterThan(0);
      expect(summary).toEqual(await summaryReport(ch, w, workload, { daily: false }));
      expect(await savingsReport(ch, w, workload)).toEqual(await savingsReport(ch, w, workload, { daily: false }));
      for (const ttftP95Ms of [undefined, 400, 440]) {
        const slo = await sloReport(ch, w, { workload, ttftP95Ms });
        expect(slo).toEqual(await sloReport(ch, w, { workload, ttftP95Ms, daily: false }));
        if (ttftP95Ms === 400) {
          // some hours meet 400 ms and some do not: the per-hour count is really exercised
          const a = slo.workloads[0]!;
          expect(a.buckets).toBeGreaterThan(a.buckets_meeting_target!);
          expect(a.buckets_meeting_target).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe('ingest daily rollups under redelivery (real ClickHouse)', () => {
  let db: TestDatabase;
  let ch: ClickHouse;

  beforeAll(async () => {
    const server = await sharedClickHouse();
    db = await server.createDatabase('ingest_daily_retry');
    ch = await openClickHouse({ url: server.url, database: db.name });
    await migrateClickHouse(ch);
  });
  afterAll(async () => {
    await ch?.close();
    await db?.drop();
  });

  const total = async (table: string): Promise<number> =>
    Number((await ch.query<{ n: string }>(`SELECT sum(samples) AS n FROM ${table}`))[0]!.n);

  it('counts a redelivered block once in every table, and a retry fills a daily part that was missing', async () => {
    const batch = seedMessages()
      .filter((e) => e.schema === engineTelemetryV1.id)
      .slice(0, 300);
    const [ins] = blocks(batch, 1);
    await insertBlock(ch, ins!);
    await insertBlock(ch, ins!); // the same block and token, as after an unknown outcome
    for (const t of ['tel_engine_1m', 'tel_engine_1h', 'tel_engine_1d']) expect(await total(t)).toBe(300);
    expect(Number((await ch.query<{ n: string }>('SELECT count() AS n FROM tel_engine'))[0]!.n)).toBe(300);
    // raw and hourly parts landed but the daily one did not: the identical retry adds only that
    await ch.command('TRUNCATE TABLE tel_engine_1d');
    await insertBlock(ch, ins!);
    for (const t of ['tel_engine_1m', 'tel_engine_1h', 'tel_engine_1d']) expect(await total(t)).toBe(300);
  });
});
