import type { DashboardSpec } from './panel-spec.js';
import { WL } from './sql-fragments.js';

const APP_WHERE = `$__timeFilter(bucket) AND ${WL}`;

export const application: DashboardSpec = {
  uid: 'oi-application',
  title: 'OptiInfra · Application',
  description: 'What the applications get: tokens, model mix, errors, and answer quality against its baseline.',
  variables: ['workload'],
  panels: [
    {
      key: 'tokens',
      title: 'Tokens per second',
      kind: 'timeseries',
      description: 'Input and output tokens reported by the application (oi.tel.app.v1, tel_app_1m) per second.',
      sql: `SELECT time, concat(workload, ' ', q.1) AS series, q.2 AS value FROM (
  SELECT $__timeInterval(bucket) AS time, workload,
    sum(tokens_in) / $__interval_s AS tokens_in, sum(tokens_out) / $__interval_s AS tokens_out
  FROM tel_app_1m WHERE ${APP_WHERE} GROUP BY time, workload)
ARRAY JOIN [('in', tokens_in), ('out', tokens_out)] AS q
ORDER BY time, series`,
    },
    {
      key: 'model-mix',
      title: 'Model mix (share of requests)',
      kind: 'bars',
      unit: 'percentunit',
      description: 'Requests per model over the range / all requests (tel_app_1m).',
      sql: `SELECT model AS label, sum(requests_total) / (SELECT sum(requests_total) FROM tel_app_1m WHERE ${APP_WHERE}) AS value
FROM tel_app_1m WHERE ${APP_WHERE}
GROUP BY label ORDER BY label`,
    },
    {
      key: 'quality',
      title: 'Quality against baseline',
      kind: 'timeseries',
      description:
        "Mean quality_score per interval; dashed: the workload's baseline, its mean over the 7 days of whole " +
        'hours before the range (tel_app_1h), a series computed from the data.',
      sql: `WITH base AS (
  SELECT workload, sum(quality_sum) / nullIf(sum(quality_n), 0) AS q FROM tel_app_1h
  WHERE bucket >= toStartOfHour($__fromTime) - INTERVAL 7 DAY AND bucket < toStartOfHour($__fromTime) AND ${WL}
  GROUP BY workload)
SELECT time, series, value FROM (
  SELECT $__timeInterval(bucket) AS time, workload AS series, sum(quality_sum) / sum(quality_n) AS value
  FROM tel_app_1m WHERE ${APP_WHERE} GROUP BY time, series HAVING sum(quality_n) > 0
  UNION ALL
  SELECT t.time AS time, concat(t.workload, ' baseline') AS series, base.q AS value
  FROM (SELECT DISTINCT $__timeInterval(bucket) AS time, workload FROM tel_app_1m WHERE ${APP_WHERE}) AS t
  INNER JOIN base ON base.workload = t.workload
  WHERE base.q IS NOT NULL)
ORDER BY time, series`,
    },
    {
      key: 'error-rate',
      title: 'Error rate',
      kind: 'timeseries',
      unit: 'percentunit',
      description: 'requests_failed / requests_total per interval (tel_app_1m).',
      sql: `SELECT $__timeInterval(bucket) AS time, workload AS series, sum(requests_failed) / sum(requests_total) AS value
FROM tel_app_1m WHERE ${APP_WHERE}
GROUP BY time, series HAVING sum(requests_total) > 0 ORDER BY time, series`,
    },
  ],
};
