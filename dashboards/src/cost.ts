import type { DashboardSpec } from './panel-spec.js';
import { WL, WL_NODE } from './sql-fragments.js';

const COST_WHERE = `$__timeFilter(bucket) AND ${WL}`;

export const cost: DashboardSpec = {
  uid: 'oi-cost',
  title: 'OptiInfra · Cost',
  description: 'Where the money goes (workload, purchase option, instance type), per token, and what actions saved.',
  variables: ['workload', 'node'],
  panels: [
    {
      key: 'cost-per-hour-by-workload',
      title: 'Cost per hour by workload',
      kind: 'timeseries',
      unit: 'currencyUSD',
      description: 'Spend rate per interval: Σ cost_usd of tel_cost_1m × 3600 / interval seconds.',
      sql: `SELECT $__timeInterval(bucket) AS time, workload AS series, sum(cost_usd) * 3600 / $__interval_s AS value
FROM tel_cost_1m WHERE ${COST_WHERE}
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'cost-by-purchase-option',
      title: 'Cost by purchase option',
      kind: 'bars',
      unit: 'currencyUSD',
      description: 'Σ cost_usd over the range per purchase option (on_demand, spot, reserved).',
      sql: `SELECT purchase_option AS label, sum(cost_usd) AS value
FROM tel_cost_1m WHERE ${COST_WHERE} GROUP BY label ORDER BY label`,
    },
    {
      key: 'cost-by-instance-type',
      title: 'Cost by instance type',
      kind: 'bars',
      unit: 'currencyUSD',
      description: 'Σ cost_usd over the range per instance type.',
      sql: `SELECT instance_type AS label, sum(cost_usd) AS value
FROM tel_cost_1m WHERE ${COST_WHERE} GROUP BY label ORDER BY label`,
    },
    {
      key: 'gpu-hours',
      title: 'GPU-hours',
      kind: 'stat',
      description: 'Σ gpu_count × interval_s / 3600 over the range (tel_cost_1m.gpu_seconds).',
      sql: `SELECT sum(gpu_seconds) / 3600 AS value FROM tel_cost_1m WHERE ${COST_WHERE}`,
    },
    {
      key: 'usd-per-million-tokens',
      title: 'Cost per million generated tokens',
      kind: 'bars',
      unit: 'currencyUSD',
      description: 'Σ cost_usd / Σ generation tokens (engine rate × window, tel_engine_1m) × 10⁶ per workload.',
      sql: `SELECT c.workload AS label, c.usd / nullIf(e.tokens, 0) * 1000000 AS value
FROM (SELECT workload, sum(cost_usd) AS usd FROM tel_cost_1m WHERE ${COST_WHERE} GROUP BY workload) AS c
LEFT JOIN (SELECT workload, sum(generation_tokens) AS tokens FROM tel_engine_1m
  WHERE $__timeFilter(bucket) AND ${WL_NODE} GROUP BY workload) AS e ON e.workload = c.workload
ORDER BY label`,
    },
    {
      key: 'savings-by-workload',
      title: 'Savings by workload',
      kind: 'table',
      description:
        'Action outcomes in the range (realized USD/h saved by succeeded actions) and the expected monthly saving ' +
        'of proposals approved in the range (proposals state the change in spend, negative when it saves).',
      sql: `SELECT o.workload AS workload, o.succeeded AS succeeded, o.failed AS failed, o.rolled_back AS rolled_back,
  o.usd_per_hour_saved AS usd_per_hour_saved, ifNull(x.usd_per_month, 0) AS expected_usd_per_month_saved
FROM (
  SELECT workload, countIf(status = 'succeeded') AS succeeded, countIf(status = 'failed') AS failed,
    countIf(status = 'rolled_back') AS rolled_back,
    sumIf(usd_per_hour_before - usd_per_hour_after,
      status = 'succeeded' AND usd_per_hour_before IS NOT NULL AND usd_per_hour_after IS NOT NULL) AS usd_per_hour_saved
  FROM action_outcomes WHERE $__timeFilter(ts) AND ${WL} GROUP BY workload) AS o
LEFT JOIN (
  SELECT workload, -sum(expected_usd_per_month) AS usd_per_month FROM proposals
  WHERE ${WL} AND proposal_id IN (SELECT proposal_id FROM decisions WHERE verdict = 'approved' AND $__timeFilter(ts))
  GROUP BY workload) AS x ON x.workload = o.workload
ORDER BY workload`,
    },
  ],
};
