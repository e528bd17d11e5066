import type { DashboardSpec, PanelSpec } from './panel-spec.js';
import { WL, WL_NODE } from './sql-fragments.js';

/** One line per node from a GPU rollup: Σ numerator / Σ denominator per interval. */
function perNode(key: string, title: string, unit: string, ratio: string, description: string): PanelSpec {
  return {
    key,
    title,
    kind: 'timeseries',
    unit,
    description,
    sql: `SELECT $__timeInterval(bucket) AS time, node AS series, ${ratio} AS value
FROM tel_gpu_1m WHERE $__timeFilter(bucket) AND ${WL_NODE}
GROUP BY time, series ORDER BY time, series`,
  };
}

export const resource: DashboardSpec = {
  uid: 'oi-resource',
  title: 'OptiInfra · Resource',
  description: 'KV cache pressure, preemptions, KV offload tiers, GPU memory, power and utilization per node.',
  variables: ['workload', 'node'],
  panels: [
    {
      key: 'kv-cache-usage',
      title: 'KV cache usage',
      kind: 'timeseries',
      unit: 'percentunit',
      description: 'vLLM kv_cache_usage_perc per node (mean over the interval; failed scrapes left out).',
      sql: `SELECT $__timeInterval(ts) AS time, node AS series, avg(kv_cache_usage) AS value
FROM tel_engine WHERE $__timeFilter(ts) AND ${WL_NODE} AND kv_cache_usage IS NOT NULL
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'preemptions',
      title: 'Preemptions',
      kind: 'timeseries',
      description:
        'Increase of the vLLM preemptions counter per node between consecutive samples; a counter that went ' +
        'down (engine restart) counts from zero.',
      sql: `SELECT $__timeInterval(ts) AS time, node AS series, sum(if(delta < 0, toInt64(preemptions_total), delta)) AS value
FROM (
  SELECT ts, node, preemptions_total,
    toInt64(preemptions_total) - toInt64(lagInFrame(preemptions_total, 1, preemptions_total) OVER w) AS delta
  FROM tel_engine WHERE $__timeFilter(ts) AND ${WL_NODE} AND up = 1
  WINDOW w AS (PARTITION BY workload, node ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'kv-offload-tiers',
      title: 'KV offload tiers',
      kind: 'table',
      description:
        'Per workload, the last approved enable_kv_offload decision up to the range end (decisions): KV blocks live ' +
        'in GPU HBM and spill to that much CPU memory. Engine telemetry carries no per-tier occupancy.',
      sql: `SELECT workload, 'GPU HBM → CPU' AS tiers,
  argMax(JSONExtractFloat(data, 'action', 'cpu_gib'), ts) AS cpu_gib, max(ts) AS since
FROM decisions
WHERE verdict = 'approved' AND action_kind = 'enable_kv_offload' AND ts <= $__toTime AND ${WL}
GROUP BY workload ORDER BY workload`,
    },
    perNode(
      'gpu-memory',
      'GPU memory used',
      'gbytes',
      'sum(memory_used_mib_sum) / sum(samples) / 1024',
      "nvidia-smi memory.used summed over the node's GPUs, mean per sample, GiB (tel_gpu_1m)."
    ),
    perNode(
      'gpu-power',
      'GPU power',
      'watt',
      'sum(power_w_sum) / sum(samples)',
      "nvidia-smi power.draw summed over the node's GPUs, mean per sample (tel_gpu_1m)."
    ),
    perNode(
      'gpu-utilization',
      'GPU utilization',
      'percent',
      'sum(util_pct_sum) / nullIf(sum(util_pct_n), 0)',
      "nvidia-smi utilization.gpu, mean over the node's GPUs and samples (tel_gpu_1m)."
    ),
  ],
};
