/**
 * testkit: real servers for tests and for the local `optiinfra up` run.
 *
 * Each launcher starts a real process on loopback with temp dirs and free ports, waits until
 * it serves (racing an early exit, whose log tail lands in the error), and returns a handle:
 * `url`, `getLog()`, `kill(signal)`, `restart()` (same ports and data), `stop()` and
 * `[Symbol.asyncDispose]`, so a test writes `await using nats = await startNats()`.
 * Binaries come from OI_* env vars, then `.infra/versions.env` (`npm run setup`).
 * `NATS_URL`, `OI_PG_URL` and `OI_CLICKHOUSE_URL` point the launchers at external servers.
 *
 * - startNats / startNatsCluster: nats-server 2.10 with JetStream, one per test.
 * - startPostgres / startClickHouse: PostgreSQL 15 + pgvector, ClickHouse 26.7; tests share
 *   one per worker (sharedPostgres / sharedClickHouse) with a database per file.
 * - check / Lock / freePort: wait for conditions instead of sleeping.
 * - setClockSkew + CLOCK_SKEW_PRELOAD: step one process's wall clock; descendants: its children.
 */
export { check, Lock } from './check.js';
export type { CheckOptions, Truthy } from './check.js';
export { freePort } from './net.js';
export { startNats } from './nats-server.js';
export type { NatsServerHandle, NatsServerOptions } from './nats-server.js';
export { startNatsCluster } from './nats-cluster.js';
export type { NatsClusterHandle, NatsClusterOptions } from './nats-cluster.js';
export { startPostgres } from './postgres.js';
export type { PostgresHandle, PostgresOptions } from './postgres.js';
export { startClickHouse } from './clickhouse.js';
export type { ClickHouseHandle, ClickHouseOptions } from './clickhouse.js';
export type { TestDatabase } from './test-database.js';
export { sharedClickHouse, sharedPostgres } from './shared.js';
export { startOiProcess, startTsProcess } from './oi-process.js';
export type { OiProcess, TsProcessOptions } from './oi-process.js';
export { CLOCK_SKEW_ENV, CLOCK_SKEW_PRELOAD, setClockSkew } from './clock-skew.js';
export { descendants } from './process-tree.js';
export { prometheusConfig, startPrometheus } from './prometheus.js';
export type { ActiveTarget, PrometheusHandle, PrometheusOptions, ScrapeTarget } from './prometheus.js';
export { startWebhookReceiver } from './webhook-receiver.js';
export type { Received, WebhookReceiver } from './webhook-receiver.js';
