-- Decision facts: proposals (OI_REC), decisions and approvals (OI_DEC), actions and their
-- outcomes (oi.act.result.v1 events on OI_EVT), each with the stream sequence and consumer
-- that exactly-once ingest needs. Outcomes carry cost per hour before and after, so realized
-- savings are a query (`savings`). Every statement is idempotent.

ALTER TABLE events ADD COLUMN IF NOT EXISTS seq UInt64 DEFAULT 0;

ALTER TABLE events ADD COLUMN IF NOT EXISTS consumer LowCardinality(String) DEFAULT '';

ALTER TABLE events MODIFY SETTING non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS proposals
(
    ts DateTime64(3, 'UTC'), -- event time, from the envelope
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    proposal_id String,
    agent LowCardinality(String),
    workload LowCardinality(String),
    resource LowCardinality(String),
    action_kind LowCardinality(String),
    expected_usd_per_month Float64, -- negative saves money
    expected_slo_attainment_delta Nullable(Float32),
    expected_gpu_memory_gib_delta Nullable(Float32),
    confidence Float32,
    risk LowCardinality(String),
    priority_class LowCardinality(String),
    epoch UInt64,
    expires_at DateTime64(3, 'UTC'),
    explained_by LowCardinality(String),
    data String -- the whole payload as JSON
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (workload, ts, proposal_id)
TTL toDateTime(ts) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS decisions
(
    ts DateTime64(3, 'UTC'),
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    decision_id String,
    proposal_id String,
    workload LowCardinality(String),
    verdict LowCardinality(String),
    reason String,
    action_kind LowCardinality(String),
    resource LowCardinality(String),
    epoch UInt64,
    decided_by LowCardinality(String),
    mode LowCardinality(String),
    preempted_by String,
    data String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (workload, ts, decision_id)
TTL toDateTime(ts) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- an approval is a decision taken by an operator rather than by the supervisor
CREATE VIEW IF NOT EXISTS approvals AS
SELECT ts, decision_id, proposal_id, workload, verdict, decided_by AS approver, reason, mode
FROM decisions
WHERE decided_by != 'supervisor';

CREATE TABLE IF NOT EXISTS action_outcomes
(
    ts DateTime64(3, 'UTC'),
    id String,
    action_id String,
    decision_id String,
    workload LowCardinality(String),
    node LowCardinality(String),
    status LowCardinality(String),
    detail String,
    metrics_before Map(String, Float64),
    metrics_after Map(String, Float64),
    usd_per_hour_before Nullable(Float64), -- metrics_before['usd_per_hour'] when the executor measured it
    usd_per_hour_after Nullable(Float64)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (workload, ts, action_id)
TTL toDateTime(ts) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS action_outcomes_mv TO action_outcomes AS
SELECT
    ts,
    id,
    JSONExtractString(data, 'action_id') AS action_id,
    JSONExtractString(data, 'decision_id') AS decision_id,
    workload,
    JSONExtractString(data, 'node') AS node,
    JSONExtractString(data, 'status') AS status,
    JSONExtractString(data, 'detail') AS detail,
    JSONExtract(data, 'metrics_before', 'Map(String, Float64)') AS metrics_before,
    JSONExtract(data, 'metrics_after', 'Map(String, Float64)') AS metrics_after,
    if(mapContains(metrics_before, 'usd_per_hour'), metrics_before['usd_per_hour'], NULL) AS usd_per_hour_before,
    if(mapContains(metrics_after, 'usd_per_hour'), metrics_after['usd_per_hour'], NULL) AS usd_per_hour_after
FROM events
WHERE schema = 'oi.act.result.v1';

-- realized savings: cost per hour before minus after, over actions that succeeded
CREATE VIEW IF NOT EXISTS savings AS
SELECT
    workload,
    count() AS actions,
    sum(usd_per_hour_before - usd_per_hour_after) AS usd_per_hour_saved,
    min(ts) AS first_action,
    max(ts) AS last_action
FROM action_outcomes
WHERE status = 'succeeded' AND usd_per_hour_before IS NOT NULL AND usd_per_hour_after IS NOT NULL
GROUP BY workload;

-- ingest lag per consumer, written periodically by every ingest process
CREATE TABLE IF NOT EXISTS ingest_lag
(
    ts DateTime64(3, 'UTC'),
    ingester LowCardinality(String),
    consumer LowCardinality(String),
    stream LowCardinality(String),
    epoch UInt64,
    pending UInt64, -- in the stream, not yet delivered
    ack_pending UInt64, -- delivered, not yet acknowledged
    oldest_unacked_age_ms UInt64,
    rows_inserted UInt64
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (consumer, ts)
TTL toDateTime(ts) + INTERVAL 30 DAY;
