-- The System dashboard's data. `dlq_entries`: one row per OI_DLQ record, ingested exactly once
-- like every stream (seq/consumer watermark, deduplication window); the reason and issues, never
-- the failed payload (its hash and size when it was sensitive). `actor_placement` and
-- `actor_hosts`: samples of the actor hosts' partition leases (`oi_leases`, `part.<n>`) and live
-- hosts, written every lag interval by the ingest process that holds the OI_EVT consumer. A
-- partition lease's epoch grows by one at every acquisition, so max − min epoch over a range is
-- the number of times the partition changed hands in it.

CREATE TABLE IF NOT EXISTS dlq_entries
(
    ts DateTime64(3, 'UTC'), -- when the dead letter was written (envelope time)
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    stream LowCardinality(String),
    subject String,
    schema LowCardinality(String),
    original_id String,
    reason String,
    issues UInt32,
    first_issue_path String,
    first_issue_rule LowCardinality(String),
    deliveries UInt32,
    sensitive UInt8,
    payload_sha256 String,
    payload_size UInt64,
    received_at DateTime64(3, 'UTC'),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (stream, ts)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS actor_placement
(
    ts DateTime64(3, 'UTC'),
    sampler LowCardinality(String),
    partition UInt32,
    holder LowCardinality(String),
    epoch UInt64,
    live UInt8,
    assigned_to LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (partition, ts)
TTL toDateTime(ts) + INTERVAL 30 DAY;

CREATE TABLE IF NOT EXISTS actor_hosts
(
    ts DateTime64(3, 'UTC'),
    sampler LowCardinality(String),
    host LowCardinality(String),
    assigned UInt32,
    held UInt32,
    heartbeat_age_ms UInt64,
    actors UInt64,
    processed UInt64,
    restarts UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (host, ts)
TTL toDateTime(ts) + INTERVAL 30 DAY;
