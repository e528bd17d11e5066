import type { DataOf, reportSavingsResultV1, reportSloResultV1, reportSummaryResultV1 } from '../../schemas/index.js';
import type { ClickHouse } from '../../stores/index.js';
import { dailySplit } from './daily-split.js';
import type { ReportWindow } from './report-window.js';

type Summary = DataOf<typeof reportSummaryResultV1>;
type Savings = DataOf<typeof reportSavingsResultV1>;
type Slo = DataOf<typeof reportSloResultV1>;

// UInt64 and sums arrive as strings in JSONEachRow; averages over nothing arrive as null
type Num = string | number | null;
const n = (v: Num | undefined): number => (v === null || v === undefined ? 0 : Number(v));
const nOrNull = (v: Num | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number | null, digits = 6): number | null => (v === null ? null : Number(v.toFixed(digits)));

const BUCKETS = 'bucket >= {from:DateTime64(3)} AND bucket < {to:DateTime64(3)}';
const EVENT_TIME = 'ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}';
const ONE = "({workload:String} = '' OR workload = {workload:String})";

/** `daily: false` reads the hourly rollup only: the reference the daily tables are checked against. */
export interface ReportReadOptions {
  daily?: boolean | undefined;
}

function params(w: ReportWindow, workload: string | undefined, read: ReportReadOptions): Record<string, unknown> {
  const split = read.daily === false ? undefined : dailySplit(w);
  return { from: w.from, to: w.to, workload: workload ?? '', ...(split ?? {}) };
}

const HOURS_AROUND_DAYS = '(bucket < {dayFrom:DateTime64(3)} OR bucket >= {dayTo:DateTime64(3)})';
const WHOLE_DAYS = 'day >= {dayFrom:DateTime64(3)} AND day < {dayTo:DateTime64(3)}';

/**
 * What a query reads for one telemetry source: its rollup, or, when the window holds whole
 * days, the daily rollup for those days and the hourly one for the hours around them (`cols`:
 * summed columns, named alike in both).
 */
function rollupFrom(source: string, w: ReportWindow, p: Record<string, unknown>, cols: string): string {
  if (p.dayFrom === undefined) return `tel_${source}_${w.rollup}`;
  return `(SELECT workload, bucket, ${cols} FROM tel_${source}_1h WHERE ${BUCKETS} AND ${ONE} AND ${HOURS_AROUND_DAYS}
    UNION ALL
    SELECT workload, day AS bucket, ${cols} FROM tel_${source}_1d WHERE ${WHOLE_DAYS} AND ${ONE})`;
}

function windowOut(w: ReportWindow): { from: string; to: string; rollup: '1m' | '1h' } {
  return { from: w.from.toISOString(), to: w.to.toISOString(), rollup: w.rollup };
}

function byWorkload<T extends { workload: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.workload, r]));
}

/** Per-workload totals from the rollups (telemetry) and the fact tables (proposals, decisions). */
export async function summaryReport(
  ch: ClickHouse,
  w: ReportWindow,
  workload?: string,
  read: ReportReadOptions = {}
): Promise<Summary> {
  const p = params(w, workload, read);
  const from = (source: string, cols: string): string => rollupFrom(source, w, p, cols);
  const [gpu, cost, app, engine, proposals, decisions] = await Promise.all([
    ch.query<{ workload: string; gpu_samples: Num; util: Num; power: Num }>(
      `SELECT workload, sum(gpu_samples) AS gpu_samples, sum(util_pct_sum) / nullIf(sum(util_pct_n), 0) AS util,
              sum(power_w_sum) / nullIf(sum(power_w_n), 0) AS power
       FROM ${from('gpu', 'gpu_samples, util_pct_sum, util_pct_n, power_w_sum, power_w_n')} WHERE ${BUCKETS} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; cost_usd: Num }>(
      `SELECT workload, sum(cost_usd) AS cost_usd FROM ${from('cost', 'cost_usd')} WHERE ${BUCKETS} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; requests_total: Num; requests_failed: Num; tokens_in: Num; tokens_out: Num }>(
      `SELECT workload, sum(requests_total) AS requests_total, sum(requests_failed) AS requests_failed,
              sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out
       FROM ${from('app', 'requests_total, requests_failed, tokens_in, tokens_out')} WHERE ${BUCKETS} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; generation_tokens: Num }>(
      `SELECT workload, sum(generation_tokens) AS generation_tokens
       FROM ${from('engine', 'generation_tokens')} WHERE ${BUCKETS} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; proposals: Num }>(
      `SELECT workload, count() AS proposals FROM proposals WHERE ${EVENT_TIME} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; verdict: string; decisions: Num }>(
      `SELECT workload, verdict, count() AS decisions FROM decisions WHERE ${EVENT_TIME} AND ${ONE}
       GROUP BY workload, verdict`,
      p
    ),
  ]);
  const [g, c, a, e, pr] = [
    byWorkload(gpu),
    byWorkload(cost),
    byWorkload(app),
    byWorkload(engine),
    byWorkload(proposals),
  ];
  const names = new Set([
    ...g.keys(),
    ...c.keys(),
    ...a.keys(),
    ...e.keys(),
    ...pr.keys(),
    ...decisions.map((d) => d.workload),
  ]);
  const rows = [...names].sort().map((name) => {
    const gg = g.get(name);
    const aa = a.get(name);
    const verdicts: Record<string, number> = {};
    for (const d of decisions) if (d.workload === name) verdicts[d.verdict] = n(d.decisions);
    return {
      workload: name,
      gpu_samples: n(gg?.gpu_samples),
      gpu_util_pct: round(nOrNull(gg?.util), 3),
      gpu_power_w: round(nOrNull(gg?.power), 3),
      cost_usd: round(n(c.get(name)?.cost_usd))!,
      requests_total: n(aa?.requests_total),
      requests_failed: n(aa?.requests_failed),
      tokens_in: n(aa?.tokens_in),
      tokens_out: n(aa?.tokens_out),
      generation_tokens: round(n(e.get(name)?.generation_tokens), 3)!,
      proposals: n(pr.get(name)?.proposals),
      decisions: verdicts,
    };
  });
  return { ...windowOut(w), workloads: rows };
}

/** Spend from the cost rollup, realized savings from action outcomes, expectations from approved proposals. */
export async function savingsReport(
  ch: ClickHouse,
  w: ReportWindow,
  workload?: string,
  read: ReportReadOptions = {}
): Promise<Savings> {
  const p = params(w, workload, read);
  const [cost, outcomes, expected] = await Promise.all([
    ch.query<{ workload: string; cost_usd: Num }>(
      `SELECT workload, sum(cost_usd) AS cost_usd FROM ${rollupFrom('cost', w, p, 'cost_usd')} WHERE ${BUCKETS} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; ok: Num; failed: Num; rolled_back: Num; saved: Num }>(
      `SELECT workload, countIf(status = 'succeeded') AS ok, countIf(status = 'failed') AS failed,
              countIf(status = 'rolled_back') AS rolled_back,
              sumIf(usd_per_hour_before - usd_per_hour_after,
                    status = 'succeeded' AND usd_per_hour_before IS NOT NULL AND usd_per_hour_after IS NOT NULL) AS saved
       FROM action_outcomes WHERE ${EVENT_TIME} AND ${ONE} GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; usd_per_month: Num }>(
      `SELECT workload, sum(expected_usd_per_month) AS usd_per_month FROM proposals
       WHERE ${ONE} AND proposal_id IN (
         SELECT proposal_id FROM decisions WHERE verdict = 'approved' AND ${EVENT_TIME} AND ${ONE})
       GROUP BY workload`,
      p
    ),
  ]);
  const c = byWorkload(cost);
  const o = byWorkload(outcomes);
  const x = byWorkload(expected);
  const names = [...new Set([...c.keys(), ...o.keys(), ...x.keys()])].sort();
  const rows = names.map((name) => ({
    workload: name,
    cost_usd: round(n(c.get(name)?.cost_usd))!,
    realized_usd_per_hour_saved: round(n(o.get(name)?.saved))!,
    // proposals state the change in spend, negative when it saves
    expected_usd_per_month_saved: round(-n(x.get(name)?.usd_per_month))! || 0,
    actions_succeeded: n(o.get(name)?.ok),
    actions_failed: n(o.get(name)?.failed),
    actions_rolled_back: n(o.get(name)?.rolled_back),
  }));
  const sum = (k: 'cost_usd' | 'realized_usd_per_hour_saved' | 'expected_usd_per_month_saved'): number =>
    round(rows.reduce((s, r) => s + r[k], 0))!;
  return {
    ...windowOut(w),
    workloads: rows,
    total: {
      cost_usd: sum('cost_usd'),
      realized_usd_per_hour_saved: sum('realized_usd_per_hour_saved'),
      expected_usd_per_month_saved: sum('expected_usd_per_month_saved'),
    },
  };
}

/**
 * Per (workload, hour) bucket of the hourly (or minute) rollup: nodes combined, and whether the
 * bucket had a TTFT sample and met the target.
 */
const SLO_BUCKETS = (table: string, where: string): string => `
  SELECT workload, sum(samples) AS b_samples, sum(up_samples) AS b_up,
         sum(ttft_p95_ms_sum) AS b_ttft_sum, sum(ttft_n) AS b_ttft_n, max(ttft_p95_ms_max) AS b_ttft_max,
         sum(e2e_p95_ms_sum) AS b_e2e_sum, sum(e2e_n) AS b_e2e_n, max(e2e_p95_ms_max) AS b_e2e_max,
         toUInt64(b_ttft_n > 0) AS b_buckets, toUInt64(b_ttft_n > 0 AND b_ttft_max <= {target:Float64}) AS b_meeting
  FROM ${table} WHERE ${where} GROUP BY workload, bucket`;

/** Per (workload, day) of the daily rollup: its hours with a TTFT sample counted from `ttft_hour_max`. */
const SLO_DAYS = `
  SELECT workload, sum(samples) AS b_samples, sum(up_samples) AS b_up,
         sum(ttft_p95_ms_sum) AS b_ttft_sum, sum(ttft_n) AS b_ttft_n, max(ttft_p95_ms_max) AS b_ttft_max,
         sum(e2e_p95_ms_sum) AS b_e2e_sum, sum(e2e_n) AS b_e2e_n, max(e2e_p95_ms_max) AS b_e2e_max,
         toUInt64(length(maxMap(ttft_hour_max).1)) AS b_buckets,
         toUInt64(arrayCount(v -> v <= {target:Float64}, maxMap(ttft_hour_max).2)) AS b_meeting
  FROM tel_engine_1d WHERE ${WHOLE_DAYS} AND ${ONE} GROUP BY workload, day`;

/** Latency from the engine rollup, errors from the app rollup, and the share of buckets meeting a TTFT target. */
export async function sloReport(
  ch: ClickHouse,
  w: ReportWindow,
  opts: { workload?: string | undefined; ttftP95Ms?: number | undefined } & ReportReadOptions
): Promise<Slo> {
  const p: Record<string, unknown> = { ...params(w, opts.workload, opts), target: opts.ttftP95Ms ?? 0 };
  const r = w.rollup;
  const buckets =
    p.dayFrom === undefined
      ? SLO_BUCKETS(`tel_engine_${r}`, `${BUCKETS} AND ${ONE}`)
      : `${SLO_BUCKETS('tel_engine_1h', `${BUCKETS} AND ${ONE} AND ${HOURS_AROUND_DAYS}`)} UNION ALL ${SLO_DAYS}`;
  const [engine, app] = await Promise.all([
    ch.query<{
      workload: string;
      samples: Num;
      up: Num;
      ttft_mean: Num;
      ttft_max: Num;
      e2e_mean: Num;
      e2e_max: Num;
      buckets: Num;
      meeting: Num;
    }>(
      `SELECT workload, sum(b_samples) AS samples, sum(b_up) AS up,
              sum(b_ttft_sum) / nullIf(sum(b_ttft_n), 0) AS ttft_mean, maxIf(b_ttft_max, b_ttft_n > 0) AS ttft_max,
              sum(b_e2e_sum) / nullIf(sum(b_e2e_n), 0) AS e2e_mean, maxIf(b_e2e_max, b_e2e_n > 0) AS e2e_max,
              sum(b_buckets) AS buckets, sum(b_meeting) AS meeting
       FROM (${buckets})
       GROUP BY workload`,
      p
    ),
    ch.query<{ workload: string; requests_total: Num; requests_failed: Num }>(
      `SELECT workload, sum(requests_total) AS requests_total, sum(requests_failed) AS requests_failed
       FROM ${rollupFrom('app', w, p, 'requests_total, requests_failed')} WHERE ${BUCKETS} AND ${ONE} GROUP BY workload`,
      p
    ),
  ]);
  const e = byWorkload(engine);
  const a = byWorkload(app);
  const names = [...new Set([...e.keys(), ...a.keys()])].sort();
  const rows = names.map((name) => {
    const ee = e.get(name);
    const aa = a.get(name);
    const samples = n(ee?.samples);
    const total = n(aa?.requests_total);
    const failed = n(aa?.requests_failed);
    const buckets = n(ee?.buckets);
    const meeting = opts.ttftP95Ms === undefined ? null : n(ee?.meeting);
    return {
      workload: name,
      engine_samples: samples,
      up_ratio: samples > 0 ? round(n(ee?.up) / samples) : null,
      ttft_p95_ms_mean: round(nOrNull(ee?.ttft_mean), 3),
      ttft_p95_ms_max: buckets > 0 ? round(nOrNull(ee?.ttft_max), 3) : null,
      e2e_p95_ms_mean: round(nOrNull(ee?.e2e_mean), 3),
      e2e_p95_ms_max: ee && nOrNull(ee.e2e_mean) !== null ? round(nOrNull(ee.e2e_max), 3) : null,
      requests_total: total,
      requests_failed: failed,
      error_rate: total > 0 ? round(failed / total) : null,
      buckets,
      buckets_meeting_target: meeting,
      attainment: meeting === null || buckets === 0 ? null : round(meeting / buckets),
    };
  });
  return { ...windowOut(w), workloads: rows };
}
