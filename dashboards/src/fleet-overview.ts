import type { DashboardSpec } from './panel-spec.js';
import { ATTAINMENT_BUCKETS, RANGE_S, SLO_CTE, WL, WL_NODE } from './sql-fragments.js';

const COST_PER_HOUR = `SELECT sum(cost_usd) * 3600 / ${RANGE_S} FROM tel_cost_1m WHERE $__timeFilter(bucket) AND ${WL}`;
// actions stay in effect after they ran: every success up to the range's end counts
const SAVED_PER_HOUR = `SELECT sum(usd_per_hour_before - usd_per_hour_after) FROM action_outcomes
  WHERE status = 'succeeded' AND usd_per_hour_before IS NOT NULL AND usd_per_hour_after IS NOT NULL
    AND ts <= $__toTime AND ${WL}`;

export const fleetOverview: DashboardSpec = {
  uid: 'oi-fleet',
  title: 'OptiInfra · Fleet overview',
  description: 'Is the fleet cheap, fast and safe right now: spend, savings, SLO, GPUs, approvals, guardrails.',
  variables: ['workload', 'node'],
  panels: [
    {
      key: 'cost-per-hour',
      title: 'Cost per hour',
      kind: 'stat',
      unit: 'currencyUSD',
      description:
        'Mean spend rate over the range: Σ usd_per_hour × interval_s of oi.tel.cost.v1 (tel_cost_1m) / range.',
      sql: `SELECT (${COST_PER_HOUR}) AS value`,
    },
    {
      key: 'savings-per-hour',
      title: 'Realized savings per hour',
      kind: 'stat',
      unit: 'currencyUSD',
      description: 'Σ (usd_per_hour before − after) over succeeded actions up to the range end (action_outcomes).',
      sql: `SELECT ifNull((${SAVED_PER_HOUR}), 0) AS value`,
    },
    {
      key: 'savings-vs-baseline',
      title: 'Savings against the baseline',
      kind: 'stat',
      unit: 'percentunit',
      description:
        'Baseline = what the fleet would cost per hour without the actions taken (cost per hour + realized savings); ' +
        'shown: savings / baseline.',
      sql: `WITH ifNull((${SAVED_PER_HOUR}), 0) AS saved, ifNull((${COST_PER_HOUR}), 0) AS cost
SELECT saved / nullIf(cost + saved, 0) AS value`,
    },
    {
      key: 'slo-attainment',
      title: 'SLO attainment (TTFT p95)',
      kind: 'stat',
      unit: 'percentunit',
      description:
        'Share of workload-minutes whose worst node TTFT p95 met the workload SLO; the SLO is configuration ' +
        'data in ClickHouse (last oi.evt.workload.registered/updated event). Workloads without a TTFT SLO are left out.',
      sql: `WITH ${SLO_CTE},
${ATTAINMENT_BUCKETS}
SELECT countIf(b.worst_ms <= slo.ttft_p95_ms) / nullIf(count(), 0) AS value
FROM b INNER JOIN slo ON slo.workload = b.workload
WHERE b.n > 0 AND slo.ttft_p95_ms IS NOT NULL`,
    },
    {
      key: 'gpus-by-purchase-option-and-state',
      title: 'GPUs by purchase option and state',
      kind: 'bars',
      description:
        "Each node's last cost sample (GPU count, purchase option) and last engine sample in the range: " +
        'serving (engine up), down (scrape failed), no engine (no engine telemetry).',
      sql: `WITH last_cost AS (
  SELECT workload, node, argMax(purchase_option, ts) AS purchase_option, argMax(gpu_count, ts) AS gpus
  FROM tel_cost WHERE $__timeFilter(ts) AND ${WL_NODE} GROUP BY workload, node),
last_engine AS (
  SELECT workload, node, argMax(up, ts) AS up
  FROM tel_engine WHERE $__timeFilter(ts) AND ${WL_NODE} GROUP BY workload, node)
SELECT concat(c.purchase_option, ' · ', multiIf(e.node = '', 'no engine', e.up = 1, 'serving', 'down')) AS label,
  sum(c.gpus) AS value
FROM last_cost AS c LEFT JOIN last_engine AS e ON e.workload = c.workload AND e.node = c.node
GROUP BY label ORDER BY label`,
    },
    {
      key: 'pending-approvals',
      title: 'Pending approvals',
      kind: 'stat',
      description: "Proposals whose latest decision up to the range end is 'pending_approval' (decisions).",
      sql: `SELECT count() AS value FROM (
  SELECT proposal_id, argMax(verdict, ts) AS last_verdict
  FROM decisions WHERE ts <= $__toTime AND ${WL} GROUP BY proposal_id)
WHERE last_verdict = 'pending_approval'`,
    },
    {
      key: 'guardrail-stops',
      title: 'Guardrail state: stops in range',
      kind: 'table',
      description:
        'oi.v1.evt.priority.guardrail_stop.<workload> notices (events): how often and the last rule and reason.',
      sql: `SELECT workload, count() AS stops, max(ts) AS last_at, argMax(JSONExtractString(data, 'message'), ts) AS last_reason
FROM events
WHERE domain = 'priority' AND event = 'guardrail_stop' AND $__timeFilter(ts) AND ${WL}
GROUP BY workload ORDER BY workload`,
    },
  ],
};
