-- Raw telemetry, one row per OI_TEL message and one table per source, with 1-minute and
-- 1-hour rollups kept by materialized views (fed by the raw inserts, nothing else).
-- `seq` is the OI_TEL stream sequence and `consumer` the ingest consumer that wrote the row:
-- together they let a new ingest owner skip what is already here (actors/ingest/README.md).
-- The deduplication window makes a retried identical insert (same insert_deduplication_token)
-- a no-op in the raw table and, with deduplicate_blocks_in_dependent_materialized_views, in
-- each rollup. Integer columns are wide enough for any value the v1 schemas accept, so a valid
-- message is never refused. Every statement is idempotent: a crash mid-file reruns the whole file.

CREATE TABLE IF NOT EXISTS tel_gpu
(
    ts DateTime64(3, 'UTC'), -- event time, from the envelope
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    workload LowCardinality(String),
    node LowCardinality(String),
    driver_version LowCardinality(String),
    gpu_index Array(UInt64),
    gpu_uuid Array(String),
    gpu_name Array(LowCardinality(String)),
    gpu_memory_used_mib Array(Float64),
    gpu_memory_total_mib Array(Float64),
    gpu_util_pct Array(Nullable(Float32)),
    gpu_mem_util_pct Array(Nullable(Float32)),
    gpu_power_w Array(Nullable(Float32)),
    gpu_power_limit_w Array(Nullable(Float32)),
    gpu_sm_clock_mhz Array(Nullable(Float32)),
    gpu_temp_c Array(Nullable(Float32)),
    gpu_ecc_uncorrected Array(Nullable(UInt64)),
    gpu_mig_mode Array(LowCardinality(String)),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (workload, node, ts)
TTL toDateTime(ts) + INTERVAL 14 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS tel_engine
(
    ts DateTime64(3, 'UTC'),
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    workload LowCardinality(String),
    node LowCardinality(String),
    engine LowCardinality(String),
    model LowCardinality(String),
    window_s Float64,
    up UInt8,
    requests_running UInt64,
    requests_waiting UInt64,
    kv_cache_usage Nullable(Float32),
    kv_capacity_tokens Nullable(UInt64),
    prefix_cache_hit_rate Nullable(Float32),
    prompt_tokens_per_s Float64,
    generation_tokens_per_s Float64,
    preemptions_total UInt64,
    request_success_total Map(LowCardinality(String), UInt64),
    ttft_p50_ms Nullable(Float32),
    ttft_p95_ms Nullable(Float32),
    ttft_p99_ms Nullable(Float32),
    itl_p50_ms Nullable(Float32),
    itl_p95_ms Nullable(Float32),
    itl_p99_ms Nullable(Float32),
    e2e_p50_ms Nullable(Float32),
    e2e_p95_ms Nullable(Float32),
    e2e_p99_ms Nullable(Float32),
    scrape_error String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (workload, node, ts)
TTL toDateTime(ts) + INTERVAL 14 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- privacy: request content (tier-3 `samples`) never lands here, only counts and patterns
CREATE TABLE IF NOT EXISTS tel_app
(
    ts DateTime64(3, 'UTC'),
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    workload LowCardinality(String),
    node LowCardinality(String),
    model LowCardinality(String),
    privacy_tier UInt8,
    window_s Float64,
    requests_total UInt64,
    requests_failed UInt64,
    tokens_in UInt64,
    tokens_out UInt64,
    latency_p50_ms Nullable(Float32),
    latency_p95_ms Nullable(Float32),
    latency_p99_ms Nullable(Float32),
    input_tokens_p95 Nullable(UInt64),
    long_input_short_output UInt64,
    quality_score Nullable(Float32),
    prompt_patterns Map(LowCardinality(String), Float32),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (workload, node, ts)
TTL toDateTime(ts) + INTERVAL 14 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS tel_cost
(
    ts DateTime64(3, 'UTC'),
    id String,
    seq UInt64,
    consumer LowCardinality(String),
    source LowCardinality(String),
    workload LowCardinality(String),
    node LowCardinality(String),
    instance_id String,
    instance_type LowCardinality(String),
    provider LowCardinality(String),
    region LowCardinality(String),
    zone LowCardinality(String),
    gpu_type LowCardinality(String),
    gpu_count UInt16,
    purchase_option LowCardinality(String),
    usd_per_hour Float64,
    interval_s Float64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (workload, node, ts)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- Rollups: SimpleAggregateFunction columns, so plain sum()/max() over them is exact after merges.
-- Averages are kept as sum and count (`*_sum`, `*_n`): an average of averages would be wrong.

CREATE TABLE IF NOT EXISTS tel_gpu_1m
(
    bucket DateTime('UTC'),
    workload LowCardinality(String),
    node LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    gpu_samples SimpleAggregateFunction(sum, UInt64),
    util_pct_sum SimpleAggregateFunction(sum, Float64),
    util_pct_n SimpleAggregateFunction(sum, UInt64),
    memory_used_mib_sum SimpleAggregateFunction(sum, Float64),
    memory_total_mib_sum SimpleAggregateFunction(sum, Float64),
    power_w_sum SimpleAggregateFunction(sum, Float64),
    power_w_n SimpleAggregateFunction(sum, UInt64),
    temp_c_max SimpleAggregateFunction(max, Float32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (workload, node, bucket)
TTL bucket + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS tel_gpu_1h AS tel_gpu_1m
ENGINE = AggregatingMergeTree
PARTITION BY toYear(bucket)
ORDER BY (workload, node, bucket)
TTL bucket + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_gpu_1m_mv TO tel_gpu_1m AS
SELECT
    toStartOfMinute(ts) AS bucket,
    workload,
    node,
    count() AS samples,
    sum(length(gpu_uuid)) AS gpu_samples,
    sum(arraySum(x -> ifNull(x, 0), gpu_util_pct)) AS util_pct_sum,
    sum(arrayCount(x -> isNotNull(x), gpu_util_pct)) AS util_pct_n,
    sum(arraySum(gpu_memory_used_mib)) AS memory_used_mib_sum,
    sum(arraySum(gpu_memory_total_mib)) AS memory_total_mib_sum,
    sum(arraySum(x -> ifNull(x, 0), gpu_power_w)) AS power_w_sum,
    sum(arrayCount(x -> isNotNull(x), gpu_power_w)) AS power_w_n,
    max(arrayMax(x -> ifNull(x, -273), gpu_temp_c)) AS temp_c_max
FROM tel_gpu
GROUP BY bucket, workload, node;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_gpu_1h_mv TO tel_gpu_1h AS
SELECT
    toStartOfHour(ts) AS bucket,
    workload,
    node,
    count() AS samples,
    sum(length(gpu_uuid)) AS gpu_samples,
    sum(arraySum(x -> ifNull(x, 0), gpu_util_pct)) AS util_pct_sum,
    sum(arrayCount(x -> isNotNull(x), gpu_util_pct)) AS util_pct_n,
    sum(arraySum(gpu_memory_used_mib)) AS memory_used_mib_sum,
    sum(arraySum(gpu_memory_total_mib)) AS memory_total_mib_sum,
    sum(arraySum(x -> ifNull(x, 0), gpu_power_w)) AS power_w_sum,
    sum(arrayCount(x -> isNotNull(x), gpu_power_w)) AS power_w_n,
    max(arrayMax(x -> ifNull(x, -273), gpu_temp_c)) AS temp_c_max
FROM tel_gpu
GROUP BY bucket, workload, node;

-- tokens = rate × window: exact when a node's samples tile time (one sample per window)
CREATE TABLE IF NOT EXISTS tel_engine_1m
(
    bucket DateTime('UTC'),
    workload LowCardinality(String),
    node LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    up_samples SimpleAggregateFunction(sum, UInt64),
    requests_running_sum SimpleAggregateFunction(sum, UInt64),
    requests_waiting_sum SimpleAggregateFunction(sum, UInt64),
    kv_cache_usage_sum SimpleAggregateFunction(sum, Float64),
    kv_cache_usage_max SimpleAggregateFunction(max, Float32),
    prompt_tokens SimpleAggregateFunction(sum, Float64),
    generation_tokens SimpleAggregateFunction(sum, Float64),
    ttft_p95_ms_sum SimpleAggregateFunction(sum, Float64),
    ttft_p95_ms_max SimpleAggregateFunction(max, Float32),
    ttft_n SimpleAggregateFunction(sum, UInt64),
    itl_p95_ms_sum SimpleAggregateFunction(sum, Float64),
    itl_n SimpleAggregateFunction(sum, UInt64),
    e2e_p95_ms_sum SimpleAggregateFunction(sum, Float64),
    e2e_p95_ms_max SimpleAggregateFunction(max, Float32),
    e2e_n SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (workload, node, bucket)
TTL bucket + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS tel_engine_1h AS tel_engine_1m
ENGINE = AggregatingMergeTree
PARTITION BY toYear(bucket)
ORDER BY (workload, node, bucket)
TTL bucket + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_engine_1m_mv TO tel_engine_1m AS
SELECT
    toStartOfMinute(ts) AS bucket,
    workload,
    node,
    count() AS samples,
    sum(up) AS up_samples,
    sum(requests_running) AS requests_running_sum,
    sum(requests_waiting) AS requests_waiting_sum,
    sum(ifNull(kv_cache_usage, 0)) AS kv_cache_usage_sum,
    max(ifNull(kv_cache_usage, 0)) AS kv_cache_usage_max,
    sum(prompt_tokens_per_s * window_s) AS prompt_tokens,
    sum(generation_tokens_per_s * window_s) AS generation_tokens,
    sum(ifNull(ttft_p95_ms, 0)) AS ttft_p95_ms_sum,
    max(ifNull(ttft_p95_ms, 0)) AS ttft_p95_ms_max,
    countIf(isNotNull(ttft_p95_ms)) AS ttft_n,
    sum(ifNull(itl_p95_ms, 0)) AS itl_p95_ms_sum,
    countIf(isNotNull(itl_p95_ms)) AS itl_n,
    sum(ifNull(e2e_p95_ms, 0)) AS e2e_p95_ms_sum,
    max(ifNull(e2e_p95_ms, 0)) AS e2e_p95_ms_max,
    countIf(isNotNull(e2e_p95_ms)) AS e2e_n
FROM tel_engine
GROUP BY bucket, workload, node;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_engine_1h_mv TO tel_engine_1h AS
SELECT
    toStartOfHour(ts) AS bucket,
    workload,
    node,
    count() AS samples,
    sum(up) AS up_samples,
    sum(requests_running) AS requests_running_sum,
    sum(requests_waiting) AS requests_waiting_sum,
    sum(ifNull(kv_cache_usage, 0)) AS kv_cache_usage_sum,
    max(ifNull(kv_cache_usage, 0)) AS kv_cache_usage_max,
    sum(prompt_tokens_per_s * window_s) AS prompt_tokens,
    sum(generation_tokens_per_s * window_s) AS generation_tokens,
    sum(ifNull(ttft_p95_ms, 0)) AS ttft_p95_ms_sum,
    max(ifNull(ttft_p95_ms, 0)) AS ttft_p95_ms_max,
    countIf(isNotNull(ttft_p95_ms)) AS ttft_n,
    sum(ifNull(itl_p95_ms, 0)) AS itl_p95_ms_sum,
    countIf(isNotNull(itl_p95_ms)) AS itl_n,
    sum(ifNull(e2e_p95_ms, 0)) AS e2e_p95_ms_sum,
    max(ifNull(e2e_p95_ms, 0)) AS e2e_p95_ms_max,
    countIf(isNotNull(e2e_p95_ms)) AS e2e_n
FROM tel_engine
GROUP BY bucket, workload, node;

CREATE TABLE IF NOT EXISTS tel_app_1m
(
    bucket DateTime('UTC'),
    workload LowCardinality(String),
    model LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    requests_total SimpleAggregateFunction(sum, UInt64),
    requests_failed SimpleAggregateFunction(sum, UInt64),
    tokens_in SimpleAggregateFunction(sum, UInt64),
    tokens_out SimpleAggregateFunction(sum, UInt64),
    latency_p95_ms_sum SimpleAggregateFunction(sum, Float64),
    latency_p95_ms_max SimpleAggregateFunction(max, Float32),
    latency_n SimpleAggregateFunction(sum, UInt64),
    quality_sum SimpleAggregateFunction(sum, Float64),
    quality_n SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (workload, model, bucket)
TTL bucket + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS tel_app_1h AS tel_app_1m
ENGINE = AggregatingMergeTree
PARTITION BY toYear(bucket)
ORDER BY (workload, model, bucket)
TTL bucket + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_app_1m_mv TO tel_app_1m AS
SELECT
    toStartOfMinute(ts) AS bucket,
    workload,
    model,
    count() AS samples,
    sum(requests_total) AS requests_total,
    sum(requests_failed) AS requests_failed,
    sum(tokens_in) AS tokens_in,
    sum(tokens_out) AS tokens_out,
    sum(ifNull(latency_p95_ms, 0)) AS latency_p95_ms_sum,
    max(ifNull(latency_p95_ms, 0)) AS latency_p95_ms_max,
    countIf(isNotNull(latency_p95_ms)) AS latency_n,
    sum(ifNull(quality_score, 0)) AS quality_sum,
    countIf(isNotNull(quality_score)) AS quality_n
FROM tel_app
GROUP BY bucket, workload, model;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_app_1h_mv TO tel_app_1h AS
SELECT
    toStartOfHour(ts) AS bucket,
    workload,
    model,
    count() AS samples,
    sum(requests_total) AS requests_total,
    sum(requests_failed) AS requests_failed,
    sum(tokens_in) AS tokens_in,
    sum(tokens_out) AS tokens_out,
    sum(ifNull(latency_p95_ms, 0)) AS latency_p95_ms_sum,
    max(ifNull(latency_p95_ms, 0)) AS latency_p95_ms_max,
    countIf(isNotNull(latency_p95_ms)) AS latency_n,
    sum(ifNull(quality_score, 0)) AS quality_sum,
    countIf(isNotNull(quality_score)) AS quality_n
FROM tel_app
GROUP BY bucket, workload, model;

-- cost_usd = usd_per_hour × interval_s / 3600 (oi.tel.cost.v1)
CREATE TABLE IF NOT EXISTS tel_cost_1m
(
    bucket DateTime('UTC'),
    workload LowCardinality(String),
    instance_type LowCardinality(String),
    purchase_option LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    cost_usd SimpleAggregateFunction(sum, Float64),
    instance_seconds SimpleAggregateFunction(sum, Float64),
    gpu_seconds SimpleAggregateFunction(sum, Float64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (workload, instance_type, purchase_option, bucket)
TTL bucket + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS tel_cost_1h AS tel_cost_1m
ENGINE = AggregatingMergeTree
PARTITION BY toYear(bucket)
ORDER BY (workload, instance_type, purchase_option, bucket)
TTL bucket + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_cost_1m_mv TO tel_cost_1m AS
SELECT
    toStartOfMinute(ts) AS bucket,
    workload,
    instance_type,
    purchase_option,
    count() AS samples,
    sum(usd_per_hour * interval_s / 3600) AS cost_usd,
    sum(interval_s) AS instance_seconds,
    sum(gpu_count * interval_s) AS gpu_seconds
FROM tel_cost
GROUP BY bucket, workload, instance_type, purchase_option;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_cost_1h_mv TO tel_cost_1h AS
SELECT
    toStartOfHour(ts) AS bucket,
    workload,
    instance_type,
    purchase_option,
    count() AS samples,
    sum(usd_per_hour * interval_s / 3600) AS cost_usd,
    sum(interval_s) AS instance_seconds,
    sum(gpu_count * interval_s) AS gpu_seconds
FROM tel_cost
GROUP BY bucket, workload, instance_type, purchase_option;
