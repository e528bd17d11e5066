-- Daily per-workload rollups, fed by materialized views from the 1-hour rollups (so one
-- insert into a raw table cascades raw → 1h → 1d). A 30-day report reads ~30 rows per
-- workload instead of 720 (actors/ingest/report-queries.ts). Sums and counts only, so means
-- stay exact; `ttft_hour_max` keeps the worst TTFT p95 of every hour that had one (hour of day
-- → max over nodes), so SLO attainment against any target is still counted per hour.
-- Exactly once: ingest inserts raw blocks with insert_deduplication_token and
-- deduplicate_blocks_in_dependent_materialized_views, which applies down the whole chain; a
-- retried block lands in no table twice. Each table keeps the deduplication window for that.

CREATE TABLE IF NOT EXISTS tel_gpu_1d
(
    day DateTime('UTC'),
    workload LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    gpu_samples SimpleAggregateFunction(sum, UInt64),
    util_pct_sum SimpleAggregateFunction(sum, Float64),
    util_pct_n SimpleAggregateFunction(sum, UInt64),
    power_w_sum SimpleAggregateFunction(sum, Float64),
    power_w_n SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (workload, day)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_gpu_1d_mv TO tel_gpu_1d AS
SELECT
    toStartOfDay(bucket) AS day,
    workload,
    sum(samples) AS samples,
    sum(gpu_samples) AS gpu_samples,
    sum(util_pct_sum) AS util_pct_sum,
    sum(util_pct_n) AS util_pct_n,
    sum(power_w_sum) AS power_w_sum,
    sum(power_w_n) AS power_w_n
FROM tel_gpu_1h
GROUP BY day, workload;

CREATE TABLE IF NOT EXISTS tel_engine_1d
(
    day DateTime('UTC'),
    workload LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    up_samples SimpleAggregateFunction(sum, UInt64),
    generation_tokens SimpleAggregateFunction(sum, Float64),
    ttft_p95_ms_sum SimpleAggregateFunction(sum, Float64),
    ttft_p95_ms_max SimpleAggregateFunction(max, Float32),
    ttft_n SimpleAggregateFunction(sum, UInt64),
    e2e_p95_ms_sum SimpleAggregateFunction(sum, Float64),
    e2e_p95_ms_max SimpleAggregateFunction(max, Float32),
    e2e_n SimpleAggregateFunction(sum, UInt64),
    -- hour of day → worst TTFT p95 of that hour over the workload's nodes, only hours with a TTFT sample
    ttft_hour_max SimpleAggregateFunction(maxMap, Tuple(Array(UInt8), Array(Float32)))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (workload, day)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- the inner SELECT renames the hourly columns: the outer aliases reuse their names
CREATE MATERIALIZED VIEW IF NOT EXISTS tel_engine_1d_mv TO tel_engine_1d AS
SELECT
    toStartOfDay(h_bucket) AS day,
    workload,
    sum(h_samples) AS samples,
    sum(h_up) AS up_samples,
    sum(h_generation_tokens) AS generation_tokens,
    sum(h_ttft_sum) AS ttft_p95_ms_sum,
    max(if(h_ttft_n > 0, h_ttft_max, toFloat32(0))) AS ttft_p95_ms_max,
    sum(h_ttft_n) AS ttft_n,
    sum(h_e2e_sum) AS e2e_p95_ms_sum,
    max(if(h_e2e_n > 0, h_e2e_max, toFloat32(0))) AS e2e_p95_ms_max,
    sum(h_e2e_n) AS e2e_n,
    maxMap(
        if(h_ttft_n > 0, [toUInt8(toHour(h_bucket))], CAST([], 'Array(UInt8)')),
        if(h_ttft_n > 0, [h_ttft_max], CAST([], 'Array(Float32)'))
    ) AS ttft_hour_max
FROM
(
    SELECT
        bucket AS h_bucket,
        workload,
        samples AS h_samples,
        up_samples AS h_up,
        generation_tokens AS h_generation_tokens,
        ttft_p95_ms_sum AS h_ttft_sum,
        ttft_p95_ms_max AS h_ttft_max,
        ttft_n AS h_ttft_n,
        e2e_p95_ms_sum AS h_e2e_sum,
        e2e_p95_ms_max AS h_e2e_max,
        e2e_n AS h_e2e_n
    FROM tel_engine_1h
)
GROUP BY day, workload;

CREATE TABLE IF NOT EXISTS tel_app_1d
(
    day DateTime('UTC'),
    workload LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    requests_total SimpleAggregateFunction(sum, UInt64),
    requests_failed SimpleAggregateFunction(sum, UInt64),
    tokens_in SimpleAggregateFunction(sum, UInt64),
    tokens_out SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (workload, day)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_app_1d_mv TO tel_app_1d AS
SELECT
    toStartOfDay(bucket) AS day,
    workload,
    sum(samples) AS samples,
    sum(requests_total) AS requests_total,
    sum(requests_failed) AS requests_failed,
    sum(tokens_in) AS tokens_in,
    sum(tokens_out) AS tokens_out
FROM tel_app_1h
GROUP BY day, workload;

CREATE TABLE IF NOT EXISTS tel_cost_1d
(
    day DateTime('UTC'),
    workload LowCardinality(String),
    samples SimpleAggregateFunction(sum, UInt64),
    cost_usd SimpleAggregateFunction(sum, Float64),
    instance_seconds SimpleAggregateFunction(sum, Float64),
    gpu_seconds SimpleAggregateFunction(sum, Float64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (workload, day)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS tel_cost_1d_mv TO tel_cost_1d AS
SELECT
    toStartOfDay(bucket) AS day,
    workload,
    sum(samples) AS samples,
    sum(cost_usd) AS cost_usd,
    sum(instance_seconds) AS instance_seconds,
    sum(gpu_seconds) AS gpu_seconds
FROM tel_cost_1h
GROUP BY day, workload;
