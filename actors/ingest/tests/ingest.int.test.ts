import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Svcm } from '@nats-io/services';
import { headers } from '@nats-io/nats-core';
import { AckPolicy } from '@nats-io/jetstream';
import {
  check,
  sharedClickHouse,
  startNats,
  type NatsServerHandle,
  type TestDatabase,
} from '../../../testkit/index.js';
import {
  connectBus,
  defaultTopology,
  listDeadLetters,
  provision,
  publish,
  request,
  requestEnvelope,
  type Bus,
} from '../../../bus/index.js';
import { migrateClickHouse, openClickHouse, type ClickHouse } from '../../../stores/index.js';
import {
  actionResultV1,
  costTelemetryV1,
  decisionV1,
  engineTelemetryV1,
  appTelemetryV1,
  exampleOf,
  examplesOf,
  fenceV1,
  gpuTelemetryV1,
  noticeV1,
  proposalV1,
  reportSavingsV1,
  reportSloV1,
  reportSummaryV1,
  subjects,
  type DataOf,
  type reportSavingsResultV1,
  type reportSloResultV1,
  type reportSummaryResultV1,
} from '../../../schemas/index.js';
import {
  ingestConsumerSpecs,
  ingestSources,
  insertBlock,
  planBatch,
  readLag,
  readWatermarks,
  startIngester,
  startReportService,
  type Ingester,
  type IngesterStats,
} from '../index.js';

const P = 4;
const WL = 'chat-llama-8b';

describe('ingest into ClickHouse (real nats-server and ClickHouse)', () => {
  let nats: NatsServerHandle;
  let db: TestDatabase;
  let ch: ClickHouse;
  let bus: Bus;
  let ingester: Ingester;
  let stopReports: () => Promise<void>;

  beforeAll(async () => {
    nats = await startNats();
    const server = await sharedClickHouse();
    db = await server.createDatabase('ingest');
    ch = await openClickHouse({ url: server.url, database: db.name });
    await migrateClickHouse(ch);
    bus = await connectBus({ servers: nats.url, name: 'ingest-test' });
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
      ingestId: 'ingest-test-1',
      leaseTtlMs: 1_500,
      batchSize: 50,
      batchMs: 100,
      lagIntervalMs: 600_000,
    });
    const svc = await startReportService({ bus, ch, source: 'ingest-test' });
    stopReports = async () => {
      await svc.stop();
    };
  });
  afterAll(async () => {
    await stopReports?.();
    await ingester?.stop();
    await bus?.drain();
    await ch?.close();
    await db?.drop();
    await nats?.stop();
  });

  /** Σ samples over every 1-minute and 1-hour rollup, divided by 2: the messages both have seen. */
  const rollupSamples = async (): Promise<number> => {
    const sources = ['gpu', 'engine', 'app', 'cost'];
    const sums = await Promise.all(
      sources.flatMap((t) =>
        ['1m', '1h'].map((r) => ch.query<{ n: string }>(`SELECT sum(samples) AS n FROM tel_${t}_${r}`))
      )
    );
    return sums.reduce((n, [row]) => n + Number(row!.n), 0) / 2;
  };
  const count = async (table: string): Promise<number> =>
    Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM ${table}`))[0]!.n);

  it('lands every message of every stream once, with rollups equal to the published totals', async () => {
    const gpu = exampleOf(gpuTelemetryV1);
    const engine = examplesOf(engineTelemetryV1)[0]!;
    const app = examplesOf(appTelemetryV1)[0]!;
    const cost = exampleOf(costTelemetryV1);
    const src = { source: 'test' };
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const w = `wl-${i % 5}`;
      const g = { ...gpu, workload: w, gpus: [{ ...gpu.gpus[0]!, util_pct: 10 + i, power_w: 100 + i }] };
      sends.push(publish(bus.js, subjects.tel('gpu', w, gpu.node), gpuTelemetryV1, g, src));
    }
    for (let i = 0; i < 20; i++) {
      const e = { ...engine, ttft_ms: { p50: 40, p95: 100 + 10 * i, p99: 400 }, generation_tokens_per_s: 100 };
      sends.push(publish(bus.js, subjects.tel('engine', WL, engine.node), engineTelemetryV1, e, src));
      const a = { ...app, requests_total: 100 + i, requests_failed: i % 3 };
      sends.push(publish(bus.js, subjects.tel('app', WL, app.node), appTelemetryV1, a, src));
    }
    for (let i = 0; i < 30; i++) {
      sends.push(publish(bus.js, subjects.tel('cost', WL, cost.node), costTelemetryV1, cost, src));
    }
    const [kv, spot] = examplesOf(proposalV1);
    sends.push(publish(bus.js, subjects.rec('resource', WL), proposalV1, kv!, src));
    sends.push(publish(bus.js, subjects.rec('cost', WL), proposalV1, spot!, src));
    sends.push(publish(bus.js, subjects.fence(1), fenceV1, { partition: 1, epoch: 3, holder: 'h' }, src));
    const approved = {
      ...exampleOf(decisionV1),
      decision_id: 'dec-chat-llama-8b-0017',
      proposal_id: spot!.proposal_id,
    };
    sends.push(
      publish(bus.js, subjects.dec(WL), decisionV1, { ...approved, action: spot!.action, decided_by: 'alice' }, src)
    );
    sends.push(publish(bus.js, subjects.dec(WL), decisionV1, exampleOf(decisionV1), src));
    sends.push(
      publish(bus.js, subjects.evt('supervisor', 'guardrail_blocked', WL), noticeV1, exampleOf(noticeV1), src)
    );
    const result = {
      ...exampleOf(actionResultV1),
      metrics_before: { usd_per_hour: 6.88 },
      metrics_after: { usd_per_hour: 2.5 },
    };
    sends.push(publish(bus.js, subjects.evt('act', 'result', WL), actionResultV1, result, src));
    // a producer that skipped validation: utilization as text
    const bad = JSON.stringify({
      schema: 'oi.tel.gpu.v1',
      id: 'bad-gpu-1',
      ts: new Date().toISOString(),
      source: 'test',
      data: { ...gpu, gpus: [{ ...gpu.gpus[0], util_pct: '100 %' }] },
    });
    const h = headers();
    h.set('Nats-Msg-Id', 'bad-gpu-1');
    sends.push(bus.js.publish(subjects.tel('gpu', WL, 'gpu-node-01'), bad, { headers: h }));
    await Promise.all(sends);

    await check(async () => (await count('tel_gpu')) === 40 && (await count('events')) === 2, 20_000, {
      name: 'everything ingested',
    });
    await check(async () => (await count('tel_cost')) === 30 && (await count('decisions')) === 2, 10_000);
    expect(await count('tel_engine')).toBe(20);
    expect(await count('tel_app')).toBe(20);
    expect(await count('proposals')).toBe(2); // the fence is runtime traffic, not a proposal

    // Σ(10 + i) for i = 0..39 = 400 + 780 = 1180 (the util_pct published above)
    // a reader can see an insert's raw part a moment before its rollup parts: wait for the last one
    await check(async () => (await rollupSamples()) === 40 + 20 + 20 + 30, 10_000, { name: 'rollups caught up' });
    for (const r of ['1m', '1h']) {
      const [g] = await ch.query<{ s: string; u: number; n: string }>(
        `SELECT sum(samples) AS s, sum(util_pct_sum) AS u, sum(util_pct_n) AS n FROM tel_gpu_${r}`
      );
      expect({ s: Number(g!.s), u: g!.u, n: Number(g!.n) }).toEqual({ s: 40, u: 1180, n: 40 });
      // cost = usd_per_hour × interval_s / 3600 = 30 × 6.88 × 60 / 3600 = 3.44 USD (schemas example price)
      const [c] = await ch.query<{ usd: number }>(`SELECT sum(cost_usd) AS usd FROM tel_cost_${r}`);
      expect(c!.usd).toBeCloseTo(3.44, 9);
      // generation tokens = 20 samples × 100 tokens/s × 60 s window = 120000
      const [e] = await ch.query<{ t: number }>(`SELECT sum(generation_tokens) AS t FROM tel_engine_${r}`);
      expect(e!.t).toBe(120_000);
      // requests = Σ(100 + i) for i = 0..19 = 2000 + 190 = 2190
      const [a] = await ch.query<{ t: string }>(`SELECT sum(requests_total) AS t FROM tel_app_${r}`);
      expect(Number(a!.t)).toBe(2190);
    }
    expect(await ch.query('SELECT approver, verdict FROM approvals')).toEqual([
      { approver: 'alice', verdict: 'approved' },
    ]);
    expect(await ch.query('SELECT workload, usd_per_hour_saved FROM savings')).toEqual([
      { workload: WL, usd_per_hour_saved: 4.38 },
    ]);

    const dlq = await listDeadLetters(bus, { stream: 'OI_TEL' });
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.envelope.data.reason).toContain('data.gpus[0].util_pct');

    // every row carries its stream sequence: no sequence twice in a table
    const [dups] = await ch.query<{ n: string }>('SELECT count() - uniqExact(consumer, seq) AS n FROM tel_gpu');
    expect(Number(dups!.n)).toBe(0);
  });

  it('answers summary, savings and slo reports from the rollups', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const summary = (await request(
      bus.nc,
      subjects.cmd('report', 'summary'),
      reportSummaryV1,
      { from, to },
      {
        source: 'test',
      }
    )) as { data: DataOf<typeof reportSummaryResultV1> };
    expect(summary.data.rollup).toBe('1m');
    const chat = summary.data.workloads.find((w) => w.workload === WL)!;
    expect(chat).toMatchObject({
      cost_usd: 3.44,
      requests_total: 2190,
      generation_tokens: 120_000,
      proposals: 2,
      decisions: { approved: 2 },
    });
    // wl-0 got i = 0, 5, …, 35: utilization 10 + i averages 10 + 17.5 = 27.5
    expect(summary.data.workloads.find((w) => w.workload === 'wl-0')).toMatchObject({
      gpu_samples: 8,
      gpu_util_pct: 27.5,
    });

    const savings = (await request(
      bus.nc,
      subjects.cmd('report', 'savings'),
      reportSavingsV1,
      { from, to },
      {
        source: 'test',
      }
    )) as { data: DataOf<typeof reportSavingsResultV1> };
    // the cost proposal approved above expects −2519.5 USD/month; the action moved 6.88 → 2.50 USD/h
    expect(savings.data.total).toEqual({
      cost_usd: 3.44,
      realized_usd_per_hour_saved: 4.38,
      expected_usd_per_month_saved: 2519.5,
    });

    const slo = (await request(
      bus.nc,
      subjects.cmd('report', 'slo'),
      reportSloV1,
      { workload: WL, from, to, ttft_p95_ms: 150 },
      {
        source: 'test',
      }
    )) as { data: DataOf<typeof reportSloResultV1> };
    const s = slo.data.workloads[0]!;
    // p95 TTFT published as 100 + 10·i, i = 0..19: mean 195, max 290
    expect(s).toMatchObject({
      workload: WL,
      engine_samples: 20,
      up_ratio: 1,
      ttft_p95_ms_mean: 195,
      ttft_p95_ms_max: 290,
    });
    // failed = i mod 3 over i = 0..19: 6 × (0 + 1 + 2) + (0 + 1) = 19 of 2190
    expect(s.requests_failed).toBe(19);
    expect(s.error_rate).toBeCloseTo(19 / 2190, 6);
    expect(s.buckets_meeting_target! / s.buckets).toBe(s.attainment);

    // the service itself names the field and the rule of a reversed window
    const reversed = { schema: reportSloV1.id, id: 'slo-bad-1', ts: to, source: 'test', data: { from: to, to: from } };
    await expect(requestEnvelope(bus.nc, subjects.cmd('report', 'slo'), reversed)).rejects.toMatchObject({
      code: 'OI_INVALID_PAYLOAD',
      issues: [{ path: 'data.from', rule: 'custom', message: 'must be before to' }],
    });
  });

  it('reports lag in $SRV.STATS and writes it to ingest_lag', async () => {
    // the dead letters written above (OI_TEL's and any refused command's) reach dlq_entries first
    const letters = (await listDeadLetters(bus)).length;
    await check(async () => (await count('dlq_entries')) === letters, 10_000, { name: 'dead letters ingested' });
    const samples = await ingester.recordLag();
    expect(samples.map((s) => s.consumer).sort()).toEqual(ingester.held());
    expect(ingester.held()).toHaveLength(P + 4);
    for (const s of samples) expect(s).toMatchObject({ pending: 0, ackPending: 0, oldestUnackedAgeMs: 0 });
    expect(await count('ingest_lag')).toBe(P + 4);

    const client = new Svcm(bus.nc).client({ strategy: 'timer', maxWait: 500 });
    const all: IngesterStats[] = [];
    for await (const s of await client.stats('oi-ingest')) all.push(s.endpoints?.[0]?.data as IngesterStats);
    expect(all).toHaveLength(1);
    // + the dead letters themselves, ingested from OI_DLQ into dlq_entries
    expect(letters).toBeGreaterThanOrEqual(1);
    expect(all[0]!.rows).toBe(40 + 20 + 20 + 30 + 2 + 2 + 2 + letters);
    const evt = all[0]!.consumers.find((c) => c.consumer === 'oi-ingest-evt')!;
    expect(evt.lag).toMatchObject({ pending: 0, ackPending: 0 });
    expect(all[0]!.consumers.reduce((n, c) => n + c.deadLettered, 0)).toBe(1);
  });

  it('measures a backlog: pending messages and the age of the oldest unacked one', async () => {
    // a consumer nobody pulls: OI_EVT holds the 2 events published above
    const idle = { ...ingestSources(P).find((s) => s.stream === 'OI_EVT')!, durable: 'lag-probe' };
    await bus.jsm.consumers.add('OI_EVT', {
      durable_name: 'lag-probe',
      filter_subject: idle.filterSubject,
      ack_policy: AckPolicy.Explicit,
    });
    const first = (await bus.jsm.streams.getMessage('OI_EVT', { seq: 1 }))!;
    const lag = await readLag(bus, idle);
    expect(lag).toMatchObject({ consumer: 'lag-probe', stream: 'OI_EVT', pending: 2, ackPending: 0 });
    const expectedAge = Date.now() - first.time.getTime();
    expect(lag.oldestUnackedAgeMs).toBeGreaterThan(0);
    expect(Math.abs(lag.oldestUnackedAgeMs - expectedAge)).toBeLessThan(1_000);
  });

  it('makes a retried block a no-op in the raw table and fills a rollup that missed it', async () => {
    const row = (seq: number): Record<string, unknown> => ({
      ts: new Date().toISOString(),
      id: `retry-${seq}`,
      seq,
      consumer: 'retry-test',
      source: 'test',
      workload: 'wl-retry',
      node: 'gpu-node-09',
      instance_id: 'i-retry',
      instance_type: 'g6e.xlarge',
      region: 'us-east-1',
      gpu_type: 'L40S-48GB',
      gpu_count: 1,
      purchase_option: 'spot',
      usd_per_hour: 3.6,
      interval_s: 60,
    });
    const plan = planBatch(
      'retry-test',
      [1, 2, 3].map((seq) => ({ seq, placement: { table: 'tel_cost', row: row(seq) } })),
      new Map()
    );
    const block = plan.inserts[0]!;
    const rollup = async (): Promise<number> =>
      Number(
        (await ch.query<{ n: string }>("SELECT sum(samples) AS n FROM tel_cost_1m WHERE workload = 'wl-retry'"))[0]!.n
      );
    const raw = async (): Promise<number> =>
      Number((await ch.query<{ n: string }>("SELECT count() AS n FROM tel_cost WHERE workload = 'wl-retry'"))[0]!.n);

    // the raw part lands while the 1-minute view is away: as if ClickHouse died between the two
    await ch.command('DETACH TABLE tel_cost_1m_mv');
    await insertBlock(ch, block);
    await ch.command('ATTACH TABLE tel_cost_1m_mv');
    expect([await raw(), await rollup()]).toEqual([3, 0]);

    // the identical retry: the raw table skips it, the view takes it
    await insertBlock(ch, block);
    expect([await raw(), await rollup()]).toEqual([3, 3]);
    await insertBlock(ch, block);
    expect([await raw(), await rollup()]).toEqual([3, 3]);
    expect(await readWatermarks(ch, 'retry-test', ['tel_cost', 'tel_gpu'])).toEqual(
      new Map([
        ['tel_cost', 3],
        ['tel_gpu', 0],
      ])
    );
  });
});
