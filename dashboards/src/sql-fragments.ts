import type { VariableName } from './panel-spec.js';

/**
 * `column IN (selected values)`, or `1=1` when All is selected: the ClickHouse plugin's
 * `$__conditionalAll` keeps an All query free of a list of every value.
 */
export const only = (variable: VariableName, column: string = variable): string =>
  `$__conditionalAll(${column} IN (\${${variable}:singlequote}), $${variable})`;

/** The workload filter, and the node filter for tables that have a node. */
export const WL = only('workload');
export const WL_NODE = `${only('workload')} AND ${only('node')}`;

/**
 * Each workload's SLO as last registered or updated (the `oi.evt.workload.*` events in
 * `events`, ingested from OI_EVT): SLO lines are configuration data, not constants.
 * A target the workload does not set is NULL.
 */
export const SLO_CTE = `slo AS (
  SELECT workload,
    nullIf(argMax(JSONExtractFloat(data, 'slo', 'ttft_p95_ms'), ts), 0) AS ttft_p95_ms,
    nullIf(argMax(JSONExtractFloat(data, 'slo', 'tpot_mean_ms'), ts), 0) AS tpot_mean_ms,
    nullIf(argMax(JSONExtractFloat(data, 'slo', 'e2e_p95_ms'), ts), 0) AS e2e_p95_ms
  FROM events
  WHERE schema IN ('oi.evt.workload.registered.v1', 'oi.evt.workload.updated.v1') AND ts <= $__toTime
  GROUP BY workload)`;

/** Seconds in the selected range (stat panels turn totals into rates with it). */
export const RANGE_S = "greatest(dateDiff('second', $__fromTime, $__toTime), 1)";

/**
 * Per workload and 1-minute bucket: the worst node's TTFT p95 against the workload's SLO.
 * A bucket counts when some engine sample in it reported a TTFT.
 */
export const ATTAINMENT_BUCKETS = `b AS (
  SELECT workload, bucket, max(ttft_p95_ms_max) AS worst_ms, sum(ttft_n) AS n
  FROM tel_engine_1m WHERE $__timeFilter(bucket) AND ${WL_NODE}
  GROUP BY workload, bucket)`;
