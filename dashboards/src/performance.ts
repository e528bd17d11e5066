import type { DashboardSpec, PanelSpec } from './panel-spec.js';
import { ATTAINMENT_BUCKETS, SLO_CTE, WL_NODE } from './sql-fragments.js';

/**
 * p50/p95/p99 of one engine latency (mean over the workload's nodes per interval, raw
 * tel_engine) and the workload's SLO as a line from configuration data (`slo` CTE).
 */
function quantiles(
  key: string,
  title: string,
  metric: 'ttft' | 'itl' | 'e2e',
  slo: string,
  sloLabel: string
): PanelSpec {
  const where = `$__timeFilter(ts) AND ${WL_NODE} AND up = 1`;
  return {
    key,
    title,
    kind: 'timeseries',
    unit: 'ms',
    description:
      `${metric.toUpperCase()} quantiles from vLLM /metrics (oi.tel.engine.v1), mean over the workload's nodes; ` +
      `dashed: the workload's ${slo} SLO from its last registration or update (events), a configuration series.`,
    sql: `WITH ${SLO_CTE}
SELECT time, series, value FROM (
  SELECT time, concat(workload, ' ', q.1) AS series, q.2 AS value
  FROM (
    SELECT $__timeInterval(ts) AS time, workload,
      avg(${metric}_p50_ms) AS p50, avg(${metric}_p95_ms) AS p95, avg(${metric}_p99_ms) AS p99
    FROM tel_engine WHERE ${where} GROUP BY time, workload)
  ARRAY JOIN [('p50', p50), ('p95', p95), ('p99', p99)] AS q
  UNION ALL
  SELECT t.time AS time, concat(t.workload, ' SLO ${sloLabel}') AS series, slo.${slo} AS value
  FROM (SELECT DISTINCT $__timeInterval(ts) AS time, workload FROM tel_engine WHERE ${where}) AS t
  INNER JOIN slo ON slo.workload = t.workload
  WHERE slo.${slo} IS NOT NULL)
ORDER BY time, series`,
  };
}

export const performance: DashboardSpec = {
  uid: 'oi-performance',
  title: 'OptiInfra · Performance',
  description: 'Latency quantiles against each workload SLO, the request queue, and SLO attainment.',
  variables: ['workload', 'node'],
  panels: [
    quantiles('ttft', 'Time to first token', 'ttft', 'ttft_p95_ms', 'p95'),
    quantiles('itl', 'Inter-token latency', 'itl', 'tpot_mean_ms', 'TPOT mean'),
    quantiles('e2e', 'End-to-end latency', 'e2e', 'e2e_p95_ms', 'p95'),
    {
      key: 'queue',
      title: 'Requests waiting and running',
      kind: 'timeseries',
      description:
        "vLLM num_requests_waiting / running summed over the workload's nodes (mean per node over the interval × nodes).",
      sql: `SELECT time, concat(workload, ' ', q.1) AS series, q.2 AS value FROM (
  SELECT $__timeInterval(ts) AS time, workload,
    sum(requests_waiting) * uniqExact(node) / count() AS waiting,
    sum(requests_running) * uniqExact(node) / count() AS running
  FROM tel_engine WHERE $__timeFilter(ts) AND ${WL_NODE} AND up = 1 GROUP BY time, workload)
ARRAY JOIN [('waiting', waiting), ('running', running)] AS q
ORDER BY time, series`,
    },
    {
      key: 'slo-attainment-by-workload',
      title: 'SLO attainment by workload (TTFT p95)',
      kind: 'bars',
      unit: 'percentunit',
      description: "Share of minutes whose worst node TTFT p95 met the workload's configured SLO (events).",
      sql: `WITH ${SLO_CTE},
${ATTAINMENT_BUCKETS}
SELECT b.workload AS label, countIf(b.worst_ms <= slo.ttft_p95_ms) / count() AS value
FROM b INNER JOIN slo ON slo.workload = b.workload
WHERE b.n > 0 AND slo.ttft_p95_ms IS NOT NULL
GROUP BY label ORDER BY label`,
    },
  ],
};
