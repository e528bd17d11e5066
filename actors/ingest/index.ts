/**
 * Ingest (DESIGN.md "Data"): every OI_TEL, OI_REC, OI_DEC and OI_EVT message into ClickHouse
 * exactly once, through ingest-owned durable consumers shared out by leases; batched inserts
 * acknowledged only after ClickHouse confirmed them; lag in `$SRV.STATS` and `ingest_lag`; and
 * the `oi.v1.cmd.report.*` commands answered from the rollups. See README.md for the design.
 */
export * from './ingest-sources.js';
export * from './rows.js';
export * from './batch-plan.js';
export * from './clickhouse-sink.js';
export * from './lag.js';
export * from './ingest-worker.js';
export * from './preferred-owner.js';
export * from './placement-sample.js';
export * from './ingester.js';
export * from './report-window.js';
export * from './daily-split.js';
export * from './report-queries.js';
export * from './report-service.js';
export * from './process.js';
