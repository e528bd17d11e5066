import type { DashboardSpec } from './panel-spec.js';
import { WL } from './sql-fragments.js';

const EDGE_ENGINE_EVENTS = "('engine_died', 'engine_restarted', 'engine_restart_failed', 'engine_rollback_failed')";

export const system: DashboardSpec = {
  uid: 'oi-system',
  title: 'OptiInfra · System',
  description:
    'Is the machinery healthy: ingest lag per stream and consumer, ingest owners and failovers, dead letters, ' +
    'actor hosts and their partitions, partition failovers, engine restarts.',
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
    {
      key: 'dlq-entries',
      title: 'Dead letters per stream',
      kind: 'timeseries',
      description:
        'Messages dead-lettered per interval by the stream they came from (dlq_entries, ingested from OI_DLQ); ' +
        '`optiinfra dlq` lists and redrives them.',
      sql: `SELECT $__timeInterval(ts) AS time, stream AS series, count() AS value
FROM dlq_entries WHERE $__timeFilter(ts)
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'dlq-latest',
      title: 'Latest dead letters',
      kind: 'table',
      description:
        'The 20 newest dead letters with the reason and the first failing field; sensitive payloads are kept ' +
        'only as hash and size (dlq_entries).',
      sql: `SELECT ts, stream, subject, schema, reason, first_issue_path AS field, deliveries,
  if(sensitive = 1, 'hash only', 'bytes in OI_DLQ') AS payload, payload_size
FROM dlq_entries WHERE $__timeFilter(ts)
ORDER BY ts DESC, seq DESC LIMIT 20`,
    },
    {
      key: 'actor-hosts',
      title: 'Actor hosts',
      kind: 'table',
      description:
        'Live actor hosts seen in the range with, at their last sample, the partitions assigned and held, actors, ' +
        'messages processed and restarts (actor_hosts, sampled by ingest from the supervisor status).',
      sql: `SELECT host, argMax(assigned, ts) AS assigned, argMax(held, ts) AS held, argMax(actors, ts) AS actors,
  argMax(processed, ts) AS processed, argMax(restarts, ts) AS restarts, max(ts) AS last_seen
FROM actor_hosts WHERE $__timeFilter(ts)
GROUP BY host ORDER BY host`,
    },
    {
      key: 'actor-partitions',
      title: 'Partitions: holder, epoch, changes of holder',
      kind: 'table',
      description:
        'Per actor partition: the lease holder and epoch at the last sample, whether the lease was live, and how ' +
        'often it changed hands in the range (the epoch grows by one at every acquisition) (actor_placement).',
      sql: `SELECT partition, argMax(holder, ts) AS holder, max(epoch) AS last_epoch, argMax(live, ts) AS live,
  max(epoch) - min(epoch) AS holder_changes
FROM actor_placement WHERE $__timeFilter(ts)
GROUP BY partition ORDER BY partition`,
    },
    {
      key: 'partition-failovers',
      title: 'Partition failovers',
      kind: 'timeseries',
      description:
        'Partition leases acquired anew per interval (epoch steps between consecutive samples of a partition), and ' +
        'partitions without a live holder at the interval’s last sample (actor_placement).',
      sql: `SELECT time, series, value FROM (
  SELECT time, 'acquisitions' AS series, sum(step) AS value FROM (
    SELECT $__timeInterval(ts) AS time,
      epoch - lagInFrame(epoch, 1, epoch) OVER (PARTITION BY partition ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS step
    FROM actor_placement WHERE $__timeFilter(ts))
  GROUP BY time
  UNION ALL
  SELECT time, 'partitions without a live holder' AS series, sum(1 - last_live) AS value FROM (
    SELECT $__timeInterval(ts) AS time, partition, argMax(live, ts) AS last_live
    FROM actor_placement WHERE $__timeFilter(ts) GROUP BY time, partition)
  GROUP BY time)
ORDER BY time, series`,
    },
  ],
};
