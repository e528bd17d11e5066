import { fileURLToPath } from 'node:url';
import { MigrationError } from '../errors.js';
import { readMigrationFiles, type MigrationFile } from '../migration-files.js';
import {
  currentVersion,
  planMigrations,
  type AppliedMigration,
  type MigrateOptions,
  type MigrationResult,
} from '../migration-plan.js';
import { isConnectionError } from './connection-errors.js';
import type { ClickHouse } from './open-clickhouse.js';
import { splitStatements } from './split-statements.js';

export const CLICKHOUSE_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS oi_schema_migrations (
  version UInt32,
  name String,
  checksum String,
  applied_at DateTime64(3)
) ENGINE = MergeTree ORDER BY version`;

// two processes migrating at once may both record a version: read one row per version
const READ_APPLIED = `SELECT version, argMax(name, applied_at) AS name, argMax(checksum, applied_at) AS checksum
FROM oi_schema_migrations GROUP BY version ORDER BY version`;

/**
 * Applies the pending migrations statement by statement. ClickHouse has no transactions
 * and no locks: a file interrupted by a crash, or raced by another process, runs again
 * in full, so every statement must be idempotent (`CREATE TABLE IF NOT EXISTS`, …).
 * Refuses edited or deleted applied files and a database newer than the code.
 */
export async function migrateClickHouse(ch: ClickHouse, opts: MigrateOptions = {}): Promise<MigrationResult> {
  const logger = opts.logger ?? ch.logger;
  const files = await readMigrationFiles(opts.dir ?? CLICKHOUSE_MIGRATIONS_DIR);
  await ch.command(CREATE_TABLE);
  const rows = await ch.query<AppliedMigration>(READ_APPLIED);
  const pending = planMigrations('ClickHouse', files, rows);
  for (const file of pending) {
    await applyOne(ch, file);
    logger.info({ version: file.version, migration: file.file, database: ch.database }, 'applied ClickHouse migration');
  }
  return { applied: pending.map((f) => f.file), current: currentVersion([...rows, ...pending]) };
}

async function applyOne(ch: ClickHouse, file: MigrationFile): Promise<void> {
  const statements = splitStatements(file.sql);
  for (const [i, statement] of statements.entries()) {
    try {
      await ch.command(statement);
    } catch (err) {
      if (isConnectionError(err)) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new MigrationError(
        `ClickHouse migration ${file.file} failed at statement ${i + 1} of ${statements.length}: ${reason}. ` +
          'Statements before it stay applied (no transactions); fix the file and restart: it runs again in full',
        { cause: err }
      );
    }
  }
  await ch.command(
    'INSERT INTO oi_schema_migrations (version, name, checksum, applied_at) VALUES ({version:UInt32}, {name:String}, {checksum:String}, now64(3))',
    { version: file.version, name: file.file, checksum: file.checksum }
  );
}
