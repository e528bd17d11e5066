import { setTimeout as sleep } from 'node:timers/promises';
import { Svcm } from '@nats-io/services';
import { connectBus, defaultTopology, encodeEnvelope, makeEnvelope, provision, type Bus } from '../bus/index.js';
import {
  ingestConsumerSpecs,
  ingestSources,
  resolveWindow,
  savingsReport,
  sloReport,
  summaryReport,
  type IngesterStats,
} from '../actors/index.js';
import { DASHBOARDS, expandMacros } from '../dashboards/index.js';
import { STREAMS, gpuTelemetryV1, subjects } from '../schemas/index.js';
import { migrateClickHouse, openClickHouse, type ClickHouse } from '../stores/index.js';
import { startClickHouse, startNats, startOiProcess, type OiProcess } from '../testkit/index.js';
import { intFlag, type BenchArgs } from './args.js';
import { addNote, addRow, perSecond, progress, whole } from './report.js';
import { buildFeed, gpuSample, publishFeed, workloadName, type FeedMessage } from './telemetry-feed.js';

const GOAL_RATIO = 0.4;
const GOAL_LAG_MS = 5_000;
const GOAL_REPORT_MS = 100;
const BATCH = 2_000; // OI_INGEST_BATCH_SIZE default
const BATCH_MS = 1_000; // OI_INGEST_BATCH_MS default

interface IngestOptions {
  messages: number;
  partitions: number;
  burstS: number;
  workloads: number;
  days: number;
  /** Days (ending now) of 1-minute rows; the 1-hour rollup always covers `days`. */
  minuteDays: number;
  rounds: number;
  /** `optiinfra serve ingest` processes sharing the consumers, as in production. */
  ingesters: number;
}

/** Every ingest process's `$SRV.STATS` (`nats micro stats oi-ingest`). */
async function ingestStats(bus: Bus): Promise<IngesterStats[]> {
  const out: IngesterStats[] = [];
  const client = new Svcm(bus.nc).client({ strategy: 'timer', maxWait: 500 });
  try {
    for await (const s of await client.stats('oi-ingest')) {
      const d = s.endpoints?.[0]?.data as IngesterStats | undefined;
      if (d) out.push(d);
    }
  } catch (err) {
    if (!/no responders/i.test(String((err as Error).message))) throw err;
  }
  return out;
}

/**
 * `ingest`, in one run: (a) lean acked JetStream publish (raw js.publish of pre-encoded GPU
 * samples into a stream shaped like OI_TEL) beside (b) publish → actors/ingest → ClickHouse
 * row count over the same messages; (c) per-message ingest lag p99 (ClickHouse `ingested_at`
 * minus the envelope time stamped at publish) through a 10× burst; (d) report query p95 over
 * 30 days of 1-minute rollups for 1,000 workloads (synthetic rows inserted directly). Ingest runs as
 * `--ingesters` real `optiinfra serve ingest` processes sharing the partitions, as in production.
 */
export async function benchIngest(args: BenchArgs): Promise<void> {
  const o: IngestOptions = {
    messages: intFlag(args, 'messages', 40_000, 1_000, 2_000_000),
    partitions: intFlag(args, 'partitions', 16, 1, 256),
    burstS: intFlag(args, 'burst-s', 5, 1, 120),
    workloads: intFlag(args, 'workloads', 1_000, 1, 100_000),
    days: intFlag(args, 'days', 30, 1, 90),
    minuteDays: intFlag(args, 'minute-days', 1, 1, 90),
    rounds: intFlag(args, 'rounds', 20, 3, 1_000),
    ingesters: intFlag(args, 'ingesters', 2, 1, 16),
  };
  await using nats = await startNats();
  await using clickhouse = await startClickHouse();
  await using bus = await connectBus({ servers: nats.url, name: 'bench-ingest' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: o.partitions }));
  await provision(bus.jsm, bus.kvm, {
    partitions: o.partitions,
    streams: [],
    consumers: ingestConsumerSpecs({ partitions: o.partitions, maxAckPending: 2 * BATCH, ackWaitMs: 30_000 }),
    kv: [],
  });
  const ch = await openClickHouse({ url: clickhouse.url, database: 'bench_ingest', requestTimeoutMs: 600_000 });
  try {
    await migrateClickHouse(ch);
    const baseline = await leanPublish(bus, o);
    const env = {
      OI_NATS_URL: nats.url,
      OI_CLICKHOUSE_URL: clickhouse.url,
      OI_CLICKHOUSE_DB: 'bench_ingest',
      OI_PARTITIONS: String(o.partitions),
      OI_ACK_WAIT_MS: '30000',
      OI_INGEST_BATCH_SIZE: String(BATCH),
      OI_INGEST_BATCH_MS: String(BATCH_MS),
      OI_LOG_LEVEL: 'warn',
    };
    const procs: OiProcess[] = Array.from({ length: o.ingesters }, (_, i) =>
      startOiProcess('ingest', { ...env, OI_INGEST_ID: `bench-${i}` })
    );
    try {
      // the clock starts once the ingest processes hold every consumer (their start and leases are not part of the rate)
      const consumers = ingestSources(o.partitions).length;
      const deadline = performance.now() + 120_000;
      const held = async (): Promise<number> => (await ingestStats(bus)).reduce((n, s) => n + s.consumers.length, 0);
      while ((await held()) < consumers) {
        if (performance.now() > deadline)
          throw new Error(
            `ingest: ${o.ingesters} processes hold ${await held()}/${consumers} consumers after 120 s\n` +
              procs.map((p) => p.getLog().slice(-2_000)).join('\n')
          );
        await sleep(200);
      }
      const e2e = await endToEnd(bus, ch, o);
      const lag = await burstLag(bus, ch, o, e2e);
      addRow({
        bench: 'ingest e2e rate vs acked publish',
        ours: perSecond(e2e),
        baseline: perSecond(baseline),
        ratio: (e2e / baseline).toFixed(2),
      });
      addRow({
        bench: 'ingest lag p99 under a 10× burst',
        ours: `${whole(lag.p99Ms)} ms`,
        baseline: `< ${whole(GOAL_LAG_MS)} ms`,
        ratio: '-',
      });
      const stats = await ingestStats(bus);
      const sum = (k: 'retries' | 'duplicates'): number => stats.reduce((n, s) => n + s.totals[k], 0);
      addNote(
        `ingest: ${stats.reduce((n, s) => n + s.lost, 0)} consumer leases lost, ${sum('retries')} insert retries, ` +
          `${sum('duplicates')} duplicates dropped during the run (${stats.length} processes reporting).`
      );
      addNote(
        `ingest: ${whole(o.messages)} GPU samples, P=${o.partitions}, batch ${BATCH}/${BATCH_MS / 1000} s, ${o.ingesters} \`optiinfra serve ingest\` ` +
          `processes; goal e2e ≥ ${GOAL_RATIO * 100}% of ` +
          `the lean publish rate: ${e2e / baseline >= GOAL_RATIO ? 'met' : 'NOT met'}. Burst: ${whole(lag.baseRate)}/s for 5 s, ` +
          `${whole(10 * lag.baseRate)}/s for ${o.burstS} s, ${whole(lag.baseRate)}/s for 5 s; lag = ingested_at − publish time, ` +
          `p50 ${whole(lag.p50Ms)} ms, max ${whole(lag.maxMs)} ms (goal p99 < ${GOAL_LAG_MS} ms: ${lag.p99Ms < GOAL_LAG_MS ? 'met' : 'NOT met'}).`
      );
    } finally {
      await Promise.all(procs.map((p) => p.stop(10_000)));
    }
    await reportQueries(clickhouse.url, o);
  } finally {
    await ch.close();
  }
}

/** (a) raw js.publish with acks, 512 in flight, into a file stream configured like OI_TEL. */
async function leanPublish(bus: Bus, o: IngestOptions): Promise<number> {
  const tel = await bus.jsm.streams.info(STREAMS.tel);
  const { subject_transform: _t, ...config } = tel.config;
  await bus.jsm.streams.add({ ...config, name: 'BENCH_LEAN', subjects: ['bench.lean.>'] });
  const feed = buildFeed(Math.ceil(o.messages / 20), 20)
    .slice(0, o.messages)
    .map((m) => ({ ...m, subject: m.subject.replace(/^oi\.v1\.tel\./, 'bench.lean.') }));
  progress(`ingest: (a) lean acked publish of ${whole(feed.length)} GPU samples…`);
  const ms = await publishFeed(bus, feed);
  await bus.jsm.streams.delete('BENCH_LEAN');
  return feed.length / (ms / 1000);
}

async function countRows(ch: ClickHouse, source: string): Promise<number> {
  const [r] = await ch.query<{ n: string }>('SELECT count() AS n FROM tel_gpu WHERE source = {source:String}', {
    source,
  });
  return Number(r!.n);
}

/** (b) the same feed published into OI_TEL; the clock stops when ClickHouse holds every row. */
async function endToEnd(bus: Bus, ch: ClickHouse, o: IngestOptions): Promise<number> {
  const feed: FeedMessage[] = buildFeed(Math.ceil(o.messages / 20), 20).slice(0, o.messages);
  progress(`ingest: (b) publish → ingest → ClickHouse, ${whole(feed.length)} messages…`);
  const t0 = performance.now();
  const published = publishFeed(bus, feed);
  let rows = 0;
  let last = t0;
  while (rows < feed.length) {
    await sleep(50);
    rows = await countRows(ch, 'bench-feed');
    if (performance.now() - last > 5_000) {
      last = performance.now();
      progress(`ingest: ${whole(rows)}/${whole(feed.length)} rows in ClickHouse`);
    }
    if (performance.now() - t0 > 10 * 60_000) throw new Error(`ingest: only ${rows}/${feed.length} rows after 10 min`);
  }
  const ms = performance.now() - t0;
  await published;
  return feed.length / (ms / 1000);
}

interface LagFigures {
  baseRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * (c) steady load at a tenth of the measured e2e rate, then 10× that for `burstS` seconds, then
 * steady again; each envelope is stamped when published, so ClickHouse's `ingested_at` minus
 * `ts` is that message's whole trip.
 */
async function burstLag(bus: Bus, ch: ClickHouse, o: IngestOptions, e2ePerS: number): Promise<LagFigures> {
  const baseRate = Math.max(50, Math.round(e2ePerS / 10));
  const phases = [
    { s: 5, rate: baseRate },
    { s: o.burstS, rate: 10 * baseRate },
    { s: 5, rate: baseRate },
  ];
  progress(
    `ingest: (c) ${whole(baseRate)}/s, a ${o.burstS} s burst at ${whole(10 * baseRate)}/s, ${whole(baseRate)}/s…`
  );
  const inflight = new Set<Promise<unknown>>();
  let sent = 0;
  const t0 = performance.now();
  let due = 0;
  for (const phase of phases) {
    const start = performance.now();
    const dueAtStart = due;
    while (performance.now() - start < phase.s * 1000) {
      due = dueAtStart + Math.floor(((performance.now() - start) / 1000) * phase.rate);
      while (sent < due) {
        const w = sent % o.workloads;
        const data = gpuSample(w, Math.floor(sent / o.workloads));
        const env = makeEnvelope(gpuTelemetryV1, data, { source: 'bench-burst' });
        const p = bus.js.publish(subjects.tel('gpu', workloadName(w), data.node), encodeEnvelope(env), {
          msgID: env.id,
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        sent++;
        if (inflight.size >= 1_024) await Promise.race(inflight);
      }
      await sleep(10);
    }
    due = dueAtStart + Math.floor(phase.s * phase.rate);
  }
  await Promise.all(inflight);
  progress(
    `ingest: ${whole(sent)} burst messages published in ${((performance.now() - t0) / 1000).toFixed(1)} s; waiting for ClickHouse…`
  );
  const deadline = performance.now() + 5 * 60_000;
  while ((await countRows(ch, 'bench-burst')) < sent) {
    if (performance.now() > deadline) throw new Error('ingest: burst rows did not all arrive within 5 min');
    await sleep(100);
  }
  const [q] = await ch.query<{ p50: number; p99: number; mx: number }>(
    `SELECT quantileExact(0.5)(lag) AS p50, quantileExact(0.99)(lag) AS p99, max(lag) AS mx
     FROM (SELECT toUnixTimestamp64Milli(ingested_at) - toUnixTimestamp64Milli(ts) AS lag FROM tel_gpu WHERE source = 'bench-burst')`
  );
  return { baseRate, p50Ms: Number(q!.p50), p99Ms: Number(q!.p99), maxMs: Number(q!.mx) };
}

const pad = (expr: string): string => `leftPad(toString(${expr}), 5, '0')`;

/**
 * Rollup rows as the materialized views would write them for W workloads of one node each,
 * 15-second scrapes (4 samples a minute); `k` = minutes per bucket (1 or 60).
 */
function rollupInserts(table: string, k: number, start: number, buckets: number, w: number): string {
  const head = `toDateTime(${Math.floor(start / 1000)}) + ${k * 60} * intDiv(number, ${w}) AS bucket,
    concat('wl-', ${pad(`number % ${w}`)}) AS workload`;
  const x = `(number % 101)`;
  const cols: Record<string, string> = {
    tel_engine: `concat('node-', ${pad(`number % ${w}`)}) AS node, ${4 * k} AS samples, ${4 * k} AS up_samples,
      ${32 * k} AS requests_running_sum, ${4 * k} * (number % 5) AS requests_waiting_sum, ${2.4 * k} AS kv_cache_usage_sum,
      0.7 AS kv_cache_usage_max, ${4 * k * 15 * 400} AS prompt_tokens, ${4 * k * 15 * 200} AS generation_tokens,
      ${4 * k} * (150 + ${x}) AS ttft_p95_ms_sum, 170 + ${x} AS ttft_p95_ms_max, ${4 * k} AS ttft_n,
      ${4 * k * 25} AS itl_p95_ms_sum, ${4 * k} AS itl_n, ${4 * k} * (2000 + ${x}) AS e2e_p95_ms_sum,
      2400 + ${x} AS e2e_p95_ms_max, ${4 * k} AS e2e_n`,
    tel_gpu: `concat('node-', ${pad(`number % ${w}`)}) AS node, ${4 * k} AS samples, ${4 * k} AS gpu_samples,
      ${4 * k} * (30 + ${x} % 70) AS util_pct_sum, ${4 * k} AS util_pct_n, ${4 * k * 73_000} AS memory_used_mib_sum,
      ${4 * k * 81_559} AS memory_total_mib_sum, ${4 * k} * (200 + 4 * ${x}) AS power_w_sum, ${4 * k} AS power_w_n,
      toFloat32(40 + ${x} % 30) AS temp_c_max`,
    tel_app: `'llama-3.1-8b' AS model, ${4 * k} AS samples, ${4 * k * 150} AS requests_total, ${k} * (number % 3) AS requests_failed,
      ${4 * k * 150 * 900} AS tokens_in, ${4 * k * 150 * 200} AS tokens_out, ${4 * k} * (900 + ${x}) AS latency_p95_ms_sum,
      1000 + ${x} AS latency_p95_ms_max, ${4 * k} AS latency_n, ${4 * k * 0.9} AS quality_sum, ${4 * k} AS quality_n`,
    tel_cost: `'p5.48xlarge' AS instance_type, if(number % 3 = 0, 'spot', 'on_demand') AS purchase_option, ${k} AS samples,
      ${k} * if(number % 3 = 0, 0.55, 1.2) AS cost_usd, ${60 * k} AS instance_seconds, ${60 * k} AS gpu_seconds`,
  };
  return `INSERT INTO ${table}_${k === 1 ? '1m' : '1h'} SELECT ${head}, ${cols[table]} FROM numbers(${buckets * w})`;
}

function p95(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

async function timed(rounds: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm the caches once
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** (d) the report service's queries over 30 days for W workloads, and one dashboard panel beside them. */
async function reportQueries(url: string, o: IngestOptions): Promise<void> {
  const ch = await openClickHouse({ url, database: 'bench_reports', requestTimeoutMs: 900_000 });
  try {
    await migrateClickHouse(ch);
    const hour = 3_600_000;
    const to = Math.floor(Date.now() / hour) * hour;
    const from = to - o.days * 24 * hour;
    const minuteDays = Math.min(o.minuteDays, o.days);
    const minutes = minuteDays * 24 * 60;
    progress(
      `ingest: (d) inserting ${o.days} days of 1-hour and ${minuteDays} of 1-minute rollups for ${whole(o.workloads)} workloads ` +
        `(${whole(minutes * o.workloads)} 1-minute rows per table, 4 tables)…`
    );
    const t0 = performance.now();
    for (const table of ['tel_engine', 'tel_gpu', 'tel_app', 'tel_cost']) {
      await ch.command(rollupInserts(table, 1, to - minutes * 60_000, minutes, o.workloads));
      await ch.command(rollupInserts(table, 60, from, o.days * 24, o.workloads));
      progress(`ingest: ${table} rollups in (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    const month = resolveWindow({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }, new Date(to));
    const day = resolveWindow(
      { from: new Date(to - 24 * hour).toISOString(), to: new Date(to).toISOString() },
      new Date(to)
    );
    const all: number[] = [];
    const perKind: string[] = [];
    for (const [name, fn] of [
      ['summary', () => summaryReport(ch, month)],
      ['savings', () => savingsReport(ch, month)],
      ['slo', () => sloReport(ch, month, { ttftP95Ms: 200 })],
    ] as const) {
      const ms = await timed(o.rounds, fn);
      all.push(...ms);
      perKind.push(`${name} ${p95(ms).toFixed(0)} ms`);
    }
    const dayMs = await timed(o.rounds, () => summaryReport(ch, day));
    const one = await timed(o.rounds, () => sloReport(ch, month, { workload: workloadName(7), ttftP95Ms: 200 }));
    const panel = DASHBOARDS.cost!.panels.find((p) => p.key === 'cost-per-hour-by-workload')!;
    const panelSql = expandMacros(panel.sql, {
      fromMs: to - minutes * 60_000,
      toMs: to,
      intervalS: 3_600,
      vars: { workload: [workloadName(7)] },
    });
    const panelMs = await timed(Math.min(o.rounds, 5), () => ch.query(panelSql));
    const ours = p95(all);
    addRow({
      bench: `report query p95, ${o.days} d × ${whole(o.workloads)} workloads`,
      ours: `${ours.toFixed(0)} ms`,
      baseline: `< ${GOAL_REPORT_MS} ms`,
      ratio: '-',
    });
    addNote(
      `reports: ${o.rounds} runs each of summary/savings/slo over ${o.days} days (the service answers > 24 h from the 1-hour rollup, ` +
        `filled for ${o.days} days as the views would from 1-minute data; 1-minute rows for the last ${minuteDays} day(s), ` +
        `--minute-days 30 inserts all 30 at ~60k rows/s here): ` +
        `${perKind.join(', ')}; goal p95 < ${GOAL_REPORT_MS} ms: ${ours < GOAL_REPORT_MS ? 'met' : 'NOT met'}. One workload's slo p95 ` +
        `${p95(one).toFixed(0)} ms; summary over the last day (1-minute rollup, ${whole(1440 * o.workloads)} rows a table) p95 ` +
        `${p95(dayMs).toFixed(0)} ms; the Cost dashboard's cost-per-hour panel for one workload over the last ${minuteDays} day(s) (1-minute rollup) p95 ${p95(panelMs).toFixed(0)} ms.`
    );
  } finally {
    await ch.close();
  }
}
