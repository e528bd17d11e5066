-- Privacy-tiered application telemetry (oi.tel.app.t1|t2|t3.v1): one row per request type of
-- a window. There is no column that can hold request content: tier 1 and 2 carry none, and of a
-- tier-3 message only how many content samples it brought (`content_samples`) lands here; the
-- samples themselves are kept only as ciphertext in PostgreSQL (`app_content`, ContentVault).
-- Tier-2 aggregates stay null/empty for tier-1 rows. Same exactly-once columns as 002.

CREATE TABLE IF NOT EXISTS tel_app_tiers
(
    ts DateTime64(3, 'UTC'),
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    workload LowCardinality(String),
    node LowCardinality(String),
    privacy_tier UInt8,
    window_s Float64,
    request_type LowCardinality(String),
    model LowCardinality(String),
    requests UInt64,
    errors Map(LowCardinality(String), UInt64),
    input_tokens_mean Float64,
    input_tokens_sd Float64,
    input_tokens_p50 UInt64,
    input_tokens_p95 UInt64,
    input_tokens_max UInt64,
    output_tokens_mean Float64,
    output_tokens_sd Float64,
    output_tokens_p50 UInt64,
    output_tokens_p95 UInt64,
    output_tokens_max UInt64,
    latency_p50_ms Nullable(Float32),
    latency_p95_ms Nullable(Float32),
    latency_p99_ms Nullable(Float32),
    long_input_short_output Nullable(UInt64),
    quality_score Nullable(Float32),
    quality_scored Nullable(UInt64),
    prompt_patterns Map(LowCardinality(String), Float32),
    rag_requests Nullable(UInt64),
    rag_docs_per_request_mean Nullable(Float64),
    rag_relevance_score_mean Nullable(Float32),
    rag_chunk_tokens_mean Nullable(Float64),
    prefix_repeated_share Nullable(Float32),
    prefix_repeated_tokens_mean Nullable(Float64),
    content_samples UInt16,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (workload, request_type, ts)
TTL toDateTime(ts) + INTERVAL 14 DAY
SETTINGS non_replicated_deduplication_window = 10000;
