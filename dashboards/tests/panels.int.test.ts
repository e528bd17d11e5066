import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedClickHouse, type TestDatabase } from '../../testkit/index.js';
import { migrateClickHouse, openClickHouse, type ClickHouse } from '../../stores/index.js';
import { DASHBOARDS, queryPanel, timeMs, type PanelRow, type QueryContext } from '../index.js';
import { DLQ_REASON, GUARDRAIL_MESSAGE, MINUTE, PREEMPT_REASON, T0, seed } from './seed.js';

// Every expected number below is worked out by hand from tests/seed.ts (sources in the comments).
const ALL: QueryContext = { fromMs: T0, toMs: T0 + 3 * MINUTE, intervalS: 60 };
const only = (vars: QueryContext['vars']): QueryContext => ({ ...ALL, vars });
const r6 = (v: unknown): number => Math.round(Number(v) * 1e6) / 1e6;
const MINUTES = [T0, T0 + MINUTE, T0 + 2 * MINUTE];

/** Long time-series rows → values per series in time order (times checked against the seeded minutes). */
function lines(rows: readonly PanelRow[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of rows) {
    expect(MINUTES).toContain(timeMs(r.time));
    (out[String(r.series)] ??= []).push(r6(r.value));
  }
  return out;
}
const bars = (rows: readonly PanelRow[]): Record<string, number> =>
  Object.fromEntries(rows.map((r) => [String(r.label), r6(r.value)]));
const stat = (rows: readonly PanelRow[]): number => {
  expect(rows).toHaveLength(1);
  return r6(rows[0]!.value);
};

type Check = (run: (ctx?: QueryContext) => Promise<PanelRow[]>) => Promise<void>;

const EXPECT: Record<string, Check> = {
  // cost: (6 + 3 + 12 + 2.4) USD/h on every node for the whole 180 s range
  'fleet-overview/cost-per-hour': async (run) => {
    expect(stat(await run())).toBe(23.4);
    expect(stat(await run(only({ workload: ['wa'] })))).toBe(9);
  },
  // succeeded actions up to the range end: wa 9 → 6 (in range) and wb 16 → 14.4 (an hour before)
  'fleet-overview/savings-per-hour': async (run) => {
    expect(stat(await run())).toBe(4.6);
    expect(stat(await run(only({ workload: ['wa'] })))).toBe(3);
  },
  // 4.6 / (23.4 + 4.6)
  'fleet-overview/savings-vs-baseline': async (run) => {
    expect(stat(await run())).toBe(r6(4.6 / 28));
  },
  // worst TTFT p95 per minute: wa 120, 180, 250 vs 200 → 2 of 3; wb 350, 600, 550 (b2 down) vs 500 (updated) → 1 of 3
  'fleet-overview/slo-attainment': async (run) => {
    expect(stat(await run())).toBe(0.5);
    expect(stat(await run(only({ workload: ['wa'] })))).toBe(r6(2 / 3));
  },
  // last samples: a1 2 + b1 4 GPUs on demand and serving; a2 spot serving; b2 spot, engine down
  'fleet-overview/gpus-by-purchase-option-and-state': async (run) => {
    expect(bars(await run())).toEqual({ 'on_demand · serving': 6, 'spot · down': 1, 'spot · serving': 1 });
    expect(bars(await run(only({ node: ['a1'] })))).toEqual({ 'on_demand · serving': 2 });
  },
  // p1 pending then approved, p2 pending with nothing after
  'fleet-overview/pending-approvals': async (run) => {
    expect(stat(await run())).toBe(1);
  },
  'fleet-overview/guardrail-stops': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.workload, Number(r.stops), r.last_reason])).toEqual([['wb', 1, GUARDRAIL_MESSAGE]]);
    expect(timeMs(rows[0]!.last_at)).toBe(T0 + 100_000);
  },
  // per minute: wa 6 + 3, wb 12 + 2.4 USD/h
  'cost/cost-per-hour-by-workload': async (run) => {
    expect(lines(await run())).toEqual({ wa: [9, 9, 9], wb: [14.4, 14.4, 14.4] });
  },
  // on demand (6 + 12) × 180/3600; spot (3 + 2.4) × 180/3600
  'cost/cost-by-purchase-option': async (run) => {
    expect(bars(await run())).toEqual({ on_demand: 0.9, spot: 0.27 });
  },
  'cost/cost-by-instance-type': async (run) => {
    expect(bars(await run())).toEqual({ h100x1: 0.27, h100x2: 0.3, h100x4: 0.6 });
  },
  // (2 + 1 + 4 + 1) GPUs × 180 s / 3600
  'cost/gpu-hours': async (run) => {
    expect(stat(await run())).toBe(0.4);
  },
  // wa: 0.45 USD / ((100 + 50) tok/s × 180 s); wb: 0.72 USD / (200 × 180 + 100 × 120) (b2 down a minute)
  'cost/usd-per-million-tokens': async (run) => {
    expect(bars(await run())).toEqual({ wa: r6((0.45 / 27_000) * 1e6), wb: 15 });
  },
  // wa: success 9 → 6, approved p1 (−500/month) and p3 (+50/month); wb: one rollback, nothing approved
  'cost/savings-by-workload': async (run) => {
    const rows = (await run()).map((r) => [
      r.workload,
      +r.succeeded!,
      +r.failed!,
      +r.rolled_back!,
      r6(r.usd_per_hour_saved),
      r6(r.expected_usd_per_month_saved),
    ]);
    expect(rows).toEqual([
      ['wa', 1, 0, 0, 3, 450],
      ['wb', 0, 0, 1, 0, 0],
    ]);
  },
  // mean of the nodes' TTFT: wa p95 (100+120)/2, (150+180)/2, (250+190)/2; wb (300+350)/2, (600+450)/2, 550
  'performance/ttft': async (run) => {
    const l = lines(await run());
    expect(l['wa p95']).toEqual([110, 165, 220]);
    expect(l['wa p50']).toEqual([55, 82.5, 110]);
    expect(l['wa p99']).toEqual([220, 330, 440]);
    expect(l['wb p95']).toEqual([325, 525, 550]);
    expect(l['wa SLO p95']).toEqual([200, 200, 200]);
    expect(l['wb SLO p95']).toEqual([500, 500, 500]);
    expect(Object.keys(l)).toHaveLength(8);
  },
  // ITL p95 20 and 30 on wa; wb has no TPOT SLO, so no line
  'performance/itl': async (run) => {
    const l = lines(await run());
    expect(l['wa p95']).toEqual([25, 25, 25]);
    expect(l['wb p95']).toEqual([45, 45, 40]);
    expect(l['wa SLO TPOT mean']).toEqual([25, 25, 25]);
    expect(l['wb SLO TPOT mean']).toBeUndefined();
  },
  // e2e p95 = 10 × TTFT p95
  'performance/e2e': async (run) => {
    const l = lines(await run());
    expect(l['wa p95']).toEqual([1100, 1650, 2200]);
    expect(l['wa SLO p95']).toEqual([2000, 2000, 2000]);
    expect(l['wb SLO p95']).toEqual([6000, 6000, 6000]);
  },
  // waiting wa 1+0, 2+0, 3+0; wb 5+2, 5+2, 5 (b2 down); running wa 8+4, wb 16+6 then 16
  'performance/queue': async (run) => {
    expect(lines(await run())).toEqual({
      'wa running': [12, 12, 12],
      'wa waiting': [1, 2, 3],
      'wb running': [22, 22, 16],
      'wb waiting': [7, 7, 5],
    });
    expect(lines(await run(only({ node: ['b2'] })))).toEqual({ 'wb running': [6, 6], 'wb waiting': [2, 2] });
  },
  'performance/slo-attainment-by-workload': async (run) => {
    expect(bars(await run())).toEqual({ wa: r6(2 / 3), wb: r6(1 / 3) });
  },
  'resource/kv-cache-usage': async (run) => {
    expect(lines(await run())).toEqual({
      a1: [0.5, 0.625, 0.75],
      a2: [0.25, 0.25, 0.25],
      b1: [0.875, 0.9375, 0.75],
      b2: [0.375, 0.5],
    });
  },
  // counter a1 10 → 12 → 15, b1 0 → 0 → 1
  'resource/preemptions': async (run) => {
    expect(lines(await run())).toEqual({ a1: [0, 2, 3], a2: [0, 0, 0], b1: [0, 0, 1], b2: [0, 0] });
  },
  'resource/kv-offload-tiers': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.workload, r.tiers, r6(r.cpu_gib)])).toEqual([['wa', 'GPU HBM → CPU', 64]]);
  },
  // GPUs × MiB per GPU / 1024: a1 2 × 40960, a2 20480, b1 4 × 61440, b2 10240
  'resource/gpu-memory': async (run) => {
    expect(lines(await run())).toEqual({ a1: [80, 80, 80], a2: [20, 20, 20], b1: [240, 240, 240], b2: [10, 10, 10] });
  },
  // GPUs × W per GPU: a1 2 × 300, a2 200, b1 4 × 400, b2 100
  'resource/gpu-power': async (run) => {
    expect(lines(await run(only({ workload: ['wb'] })))).toEqual({ b1: [1600, 1600, 1600], b2: [100, 100, 100] });
    expect(lines(await run()).a1).toEqual([600, 600, 600]);
  },
  'resource/gpu-utilization': async (run) => {
    expect(lines(await run())).toEqual({ a1: [50, 50, 50], a2: [40, 40, 40], b1: [90, 90, 90], b2: [10, 10, 10] });
  },
  // per minute: wa (1000 + 500) / 60 in, half out; wb (2000 + 1000) / 60
  'application/tokens': async (run) => {
    expect(lines(await run())).toEqual({
      'wa in': [25, 25, 25],
      'wa out': [12.5, 12.5, 12.5],
      'wb in': [50, 50, 50],
      'wb out': [25, 25, 25],
    });
  },
  // requests 3 × (100 llama-8b, 50 llama-8b-fp8, 300 qwen-32b) of 1350
  'application/model-mix': async (run) => {
    expect(bars(await run())).toEqual({
      'llama-8b': r6(300 / 1350),
      'llama-8b-fp8': r6(150 / 1350),
      'qwen-32b': r6(900 / 1350),
    });
  },
  // wa (0.75 + 0.75)/2, (0.875 + 0.75)/2, (1 + 0.75)/2 against 0.9375 an hour before; wb likewise against 0.625
  'application/quality': async (run) => {
    expect(lines(await run())).toEqual({
      wa: [0.75, 0.8125, 0.875],
      'wa baseline': [0.9375, 0.9375, 0.9375],
      wb: [0.5, 0.5625, 0.625],
      'wb baseline': [0.625, 0.625, 0.625],
    });
  },
  // wa 3 / 150, wb 7 / 300 every minute
  'application/error-rate': async (run) => {
    expect(lines(await run())).toEqual({ wa: [0.02, 0.02, 0.02], wb: [r6(7 / 300), r6(7 / 300), r6(7 / 300)] });
  },
  // p1 cost, p2 performance (minute 0); p3 resource (1); p4 cost, p5 and p6 application (2)
  'decisions/proposals-by-agent': async (run) => {
    expect(lines(await run())).toEqual({ application: [2], cost: [1, 1], performance: [1], resource: [1] });
    expect(lines(await run(only({ agent: ['cost'] })))).toEqual({ cost: [1, 1] });
  },
  'decisions/verdicts': async (run) => {
    expect(bars(await run())).toEqual({ approved: 2, pending_approval: 2, preempted: 1, rejected: 1 });
  },
  'decisions/conflicts': async (run) => {
    const rows = await run();
    expect(
      rows.map((r) => [
        r.workload,
        r.loser,
        r.loser_agent,
        r.loser_action,
        r.winner,
        r.winner_agent,
        r.winner_action,
        r.reason,
      ])
    ).toEqual([['wb', 'p4', 'cost', 'change_purchase_option', 'p2', 'performance', 'scale_replicas', PREEMPT_REASON]]);
  },
  'decisions/proposals': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.proposal_id, r.verdict])).toEqual([
      ['p6', 'undecided'],
      ['p5', 'rejected'],
      ['p4', 'preempted'],
      ['p3', 'approved'],
      ['p2', 'pending_approval'],
      ['p1', 'approved'],
    ]);
    expect((await run(only({ agent: ['cost'], workload: ['wa'] }))).map((r) => r.proposal_id)).toEqual(['p1']);
  },
  'decisions/audit-trail': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.event, r.workload, r.proposal_id])).toEqual([
      ['preempt', 'wb', 'p4'],
      ['guardrail_stop', 'wb', 'p4'],
      ['approval', 'wa', 'p1'],
    ]);
  },
  'system/ingest-lag': async (run) => {
    expect(lines(await run())).toEqual({ 'oi-ingest-evt': [0, 0, 50], 'oi-ingest-tel-p0': [100, 2500, 300] });
  },
  // pending + ack pending: tel 10 + 5, 400 + 5, 20 + 5; evt 0, 0, 3
  'system/stream-backlog': async (run) => {
    expect(lines(await run())).toEqual({ OI_EVT: [0, 0, 3], OI_TEL: [15, 405, 25] });
  },
  // tel-p0 moved from ing-1 (epoch 3) to ing-2 (epoch 4)
  'system/ingest-owners': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.consumer, r.stream, r.owner, +r.last_epoch!, +r.owner_changes!])).toEqual([
      ['oi-ingest-evt', 'OI_EVT', 'ing-1', 7, 0],
      ['oi-ingest-tel-p0', 'OI_TEL', 'ing-2', 4, 1],
    ]);
  },
  'system/ingest-processes': async (run) => {
    expect(stat(await run())).toBe(2);
  },
  // dlq-1 (OI_TEL, minute 0), dlq-2 (OI_REC, minute 1), dlq-3 (OI_TEL, minute 2)
  'system/dlq-entries': async (run) => {
    expect(lines(await run())).toEqual({ OI_REC: [1], OI_TEL: [1, 1] });
  },
  'system/dlq-latest': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.stream, r.field, r.payload, +r.payload_size!])).toEqual([
      ['OI_TEL', '(root)', 'bytes in OI_DLQ', 9],
      ['OI_REC', 'data.confidence', 'bytes in OI_DLQ', 1400],
      ['OI_TEL', 'data', 'hash only', 812],
    ]);
    expect(rows[2]!.reason).toBe(DLQ_REASON);
  },
  // last samples: h1 at minute 1 (1 held, 180 processed), h2 at minute 2 (2 held, 90 processed, 1 restart)
  'system/actor-hosts': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.host, +r.held!, +r.actors!, +r.processed!, +r.restarts!])).toEqual([
      ['h1', 1, 2, 180, 0],
      ['h2', 2, 4, 90, 1],
    ]);
    expect(timeMs(rows[0]!.last_seen)).toBe(T0 + MINUTE + 40_000);
  },
  // p0: h1 epoch 1 → free → h2 epoch 2; p1: h1 epoch 5 → h2 epoch 6
  'system/actor-partitions': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [+r.partition!, r.holder, +r.last_epoch!, +r.live!, +r.holder_changes!])).toEqual([
      [0, 'h2', 2, 1, 1],
      [1, 'h2', 6, 1, 1],
    ]);
  },
  // acquisitions: none in minute 0, p1 in minute 1, p0 in minute 2; minute 2's last sample has p0 live again
  'system/partition-failovers': async (run) => {
    const all = lines(await run());
    expect(all).toEqual({ acquisitions: [0, 1, 1], 'partitions without a live holder': [0, 0, 0] });
    const first = await run({ ...ALL, toMs: T0 + 2 * MINUTE + 45_000 });
    expect(lines(first)['partitions without a live holder']).toEqual([0, 0, 1]);
  },
  'system/engine-restarts': async (run) => {
    const rows = await run();
    expect(rows.map((r) => [r.workload, r.node, +r.died!, +r.restarted!, +r.failed!])).toEqual([['wb', 'b2', 1, 1, 0]]);
  },
};

const PANELS = Object.entries(DASHBOARDS).flatMap(([name, d]) =>
  d.panels.map((p) => ({ id: `${name}/${p.key}`, panel: p }))
);

describe('dashboards panel SQL (real ClickHouse, seeded fleet)', () => {
  let db: TestDatabase;
  let ch: ClickHouse;
  beforeAll(async () => {
    const server = await sharedClickHouse();
    db = await server.createDatabase('dashboards');
    ch = await openClickHouse({ url: server.url, database: db.name });
    await migrateClickHouse(ch);
    await seed(ch);
  });
  afterAll(async () => {
    await ch?.close();
    await db?.drop();
  });

  it('has a hand-computed check for every panel of every dashboard', () => {
    expect(Object.keys(EXPECT).sort()).toEqual(PANELS.map((p) => p.id).sort());
  });

  it.each(PANELS.map((p) => [p.id, p.panel] as const))('%s returns the seeded answers', async (id, panel) => {
    await EXPECT[id]!((ctx = ALL) => queryPanel(ch, panel, ctx));
  });
});
