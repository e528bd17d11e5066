import type { DashboardSpec } from './panel-spec.js';
import { WL } from './sql-fragments.js';

const EDGE_ENGINE_EVENTS = "('engine_died', 'engine_restarted', 'engine_restart_failed', 'engine_rollback_failed')";

export const system: DashboardSpec = {
  uid: 'oi-system',
  title: 'OptiInfra · System',
  description:
    'Is the machinery healthy: ingest lag per stream and consumer, ingest owners and failovers, engine restarts.',
  variables: ['workload'],
  panels: [
    {
      key: 'ingest-lag',
      title: 'Ingest lag (oldest unacked message)',
      kind: 'timeseries',
      unit: 'ms',
      description: 'Max age of the oldest unacknowledged message per ingest consumer per interval (ingest_lag).',
      sql: `SELECT $__timeInterval(ts) AS time, consumer AS series, max(oldest_unacked_age_ms) AS value
FROM ingest_lag WHERE $__timeFilter(ts)
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'stream-backlog',
      title: 'Backlog per stream',
      kind: 'timeseries',
      description:
        'Messages not yet acknowledged (pending + ack pending) per stream: each consumer at its highest in the ' +
        'interval, summed over the stream consumers (ingest_lag).',
      sql: `SELECT time, stream AS series, sum(backlog) AS value FROM (
  SELECT $__timeInterval(ts) AS time, stream, consumer, max(pending + ack_pending) AS backlog
  FROM ingest_lag WHERE $__timeFilter(ts) GROUP BY time, stream, consumer)
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'ingest-owners',
      title: 'Ingest partitions: owner, epoch, failovers',
      kind: 'table',
      description:
        'Per ingest consumer (one per OI_TEL partition, one per other stream): the ingest process holding it last, ' +
        'its lease epoch, and how many times the epoch moved in the range (a new owner takes a higher epoch).',
      sql: `SELECT consumer, any(stream) AS stream, argMax(ingester, ts) AS owner, max(epoch) AS last_epoch,
  uniqExact(epoch) - 1 AS owner_changes, max(ts) AS last_report
FROM ingest_lag WHERE $__timeFilter(ts)
GROUP BY consumer ORDER BY consumer`,
    },
    {
      key: 'ingest-processes',
      title: 'Ingest processes reporting',
      kind: 'stat',
      description: 'Distinct ingest processes that wrote lag samples in the range (ingest_lag.ingester).',
      sql: 'SELECT uniqExact(ingester) AS value FROM ingest_lag WHERE $__timeFilter(ts)',
    },
    {
      key: 'engine-restarts',
      title: 'Engine deaths and restarts',
      kind: 'table',
      description: 'gpu-edge notices oi.v1.evt.edge.<event>.<workload> about the inference engine, per node (events).',
      sql: `SELECT workload, JSONExtractString(data, 'attrs', 'node') AS node,
  countIf(event = 'engine_died') AS died, countIf(event = 'engine_restarted') AS restarted,
  countIf(event IN ('engine_restart_failed', 'engine_rollback_failed')) AS failed, max(ts) AS last_at
FROM events WHERE domain = 'edge' AND event IN ${EDGE_ENGINE_EVENTS} AND $__timeFilter(ts) AND ${WL}
GROUP BY workload, node ORDER BY workload, node`,
    },
  ],
};
