import { z } from 'zod';
import { count, nonNegative, timestamp } from './common.js';
import { defineMessage } from './registry.js';
import { workloadId } from './workload.v1.js';

/**
 * Reports over NATS (`oi.v1.cmd.report.<summary|savings|slo>`), answered by the ingest
 * process from the ClickHouse rollups, for the CLI and scripts. A window longer than a day
 * is read from the 1-hour rollups, a shorter one from the 1-minute rollups; the reply says
 * which and the bucket-aligned window it covered.
 */

const MAX_WINDOW_MS = 366 * 24 * 3_600_000;

const windowShape = {
  workload: workloadId.optional().describe('one workload; absent: every workload'),
  from: timestamp.optional().describe('start of the window (event time); default: one hour before `to`'),
  to: timestamp.optional().describe('end of the window (event time); default: now'),
};

function checkWindow(w: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (w.from === undefined || w.to === undefined) return;
  const span = Date.parse(w.to) - Date.parse(w.from);
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
  else if (span > MAX_WINDOW_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: 'window longer than 366 days' });
}

const answeredWindow = {
  from: timestamp.describe('start of the first bucket read'),
  to: timestamp.describe('end of the last bucket read (exclusive)'),
  rollup: z.enum(['1m', '1h']).describe('which rollup answered'),
};

const usd = z.number();
const nullableNumber = z.number().nullable();

export const reportSummaryV1 = defineMessage({
  id: 'oi.cmd.report.summary.v1',
  description: 'Per-workload totals over a window: GPU use, spend, traffic, proposals and decisions.',
  data: z.object(windowShape).superRefine(checkWindow),
});

export const reportSummaryResultV1 = defineMessage({
  id: 'oi.cmd.report.summary-result.v1',
  description: 'Reply to oi.v1.cmd.report.summary.',
  data: z.object({
    ...answeredWindow,
    workloads: z.array(
      z.object({
        workload: workloadId,
        gpu_samples: count.describe('GPU readings (one per GPU per sample)'),
        gpu_util_pct: nullableNumber.describe('mean utilization over readings that had one'),
        gpu_power_w: nullableNumber.describe('mean board power'),
        cost_usd: usd.describe('billed cost: Σ usd_per_hour × interval_s / 3600'),
        requests_total: count,
        requests_failed: count,
        tokens_in: count,
        tokens_out: count,
        generation_tokens: nonNegative.describe('engine-side: Σ generation tokens/s × window_s'),
        proposals: count,
        decisions: z.record(z.string(), count).describe('decisions by verdict'),
      })
    ),
  }),
});

export const reportSavingsV1 = defineMessage({
  id: 'oi.cmd.report.savings.v1',
  description: 'Spend, realized savings (cost per hour before and after each action) and approved expectations.',
  data: z.object(windowShape).superRefine(checkWindow),
});

const savingsFigures = {
  cost_usd: usd.describe('billed cost in the window'),
  realized_usd_per_hour_saved: usd.describe('Σ (usd_per_hour before − after) over succeeded actions'),
  expected_usd_per_month_saved: usd.describe('−Σ expected usd_per_month of proposals approved in the window'),
};

export const reportSavingsResultV1 = defineMessage({
  id: 'oi.cmd.report.savings-result.v1',
  description: 'Reply to oi.v1.cmd.report.savings.',
  data: z.object({
    ...answeredWindow,
    workloads: z.array(
      z.object({
        workload: workloadId,
        ...savingsFigures,
        actions_succeeded: count,
        actions_failed: count,
        actions_rolled_back: count,
      })
    ),
    total: z.object(savingsFigures),
  }),
});

export const reportSloV1 = defineMessage({
  id: 'oi.cmd.report.slo.v1',
  description: 'Observed latency and errors per workload, and the share of buckets meeting an optional target.',
  data: z
    .object({
      ...windowShape,
      ttft_p95_ms: z
        .number()
        .positive()
        .optional()
        .describe('target: a bucket meets it when its worst p95 TTFT is at or below'),
    })
    .superRefine(checkWindow),
});

export const reportSloResultV1 = defineMessage({
  id: 'oi.cmd.report.slo-result.v1',
  description: 'Reply to oi.v1.cmd.report.slo.',
  data: z.object({
    ...answeredWindow,
    workloads: z.array(
      z.object({
        workload: workloadId,
        engine_samples: count,
        up_ratio: nullableNumber.describe('share of engine scrapes that succeeded'),
        ttft_p95_ms_mean: nullableNumber,
        ttft_p95_ms_max: nullableNumber,
        e2e_p95_ms_mean: nullableNumber,
        e2e_p95_ms_max: nullableNumber,
        requests_total: count,
        requests_failed: count,
        error_rate: nullableNumber.describe('requests_failed / requests_total'),
        buckets: count.describe('buckets with a TTFT reading'),
        buckets_meeting_target: count.nullable().describe('null without a target'),
        attainment: nullableNumber.describe('buckets_meeting_target / buckets'),
      })
    ),
  }),
});
