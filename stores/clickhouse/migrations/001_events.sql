-- Every OI_EVT event, as ingested: one row per envelope, the payload kept as JSON text.
-- ClickHouse has no transactions: a crash mid-file reruns the whole file, so keep statements idempotent.
CREATE TABLE IF NOT EXISTS events
(
    ts DateTime64(3, 'UTC'), -- event time, from the envelope
    id String,
    schema LowCardinality(String),
    subject String,
    source LowCardinality(String),
    workload LowCardinality(String),
    domain LowCardinality(String),
    event LowCardinality(String),
    data String -- JSON
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (workload, ts, id)
TTL toDateTime(ts) + INTERVAL 90 DAY;
