/**
 * Stores: the PostgreSQL and ClickHouse clients every OptiInfra process uses, and the
 * versioned migrations each applies at start (DESIGN.md "Data").
 *
 * PostgreSQL is the durable record (workloads, commands, audit; later decisions,
 * approvals, checkpoints, pgvector memory). ClickHouse holds telemetry and decision
 * facts for Grafana. Both read `NNN_name.sql` files from `postgres/migrations/` and
 * `clickhouse/migrations/`, record them in `oi_schema_migrations` with a sha256, and
 * refuse to start when an applied file was edited or the database is newer than the code.
 * An unreachable server fails with code `OI_UNAVAILABLE` and a message saying what to do.
 *
 * ```ts
 * await using db = openPostgres({ url, logger });
 * await migratePostgres(db);
 * await db.withTransaction(async (tx) => tx.query('INSERT …'));
 * ```
 */
export { StoreUnavailableError, MigrationError, isStoreUnavailable } from './errors.js';
export type { MigrateOptions, MigrationResult } from './migration-plan.js';
export {
  openPostgres,
  type Postgres,
  type PostgresOptions,
  type IsolationLevel,
  type PoolClient,
  type QueryResult,
  type QueryResultRow,
} from './postgres/open-postgres.js';
export { migratePostgres, POSTGRES_MIGRATIONS_DIR } from './postgres/migrate-postgres.js';
export {
  openClickHouse,
  type ClickHouse,
  type ClickHouseOptions,
  type ClickHouseClient,
  type QueryParams,
} from './clickhouse/open-clickhouse.js';
export { migrateClickHouse, CLICKHOUSE_MIGRATIONS_DIR } from './clickhouse/migrate-clickhouse.js';
