import { fileURLToPath } from 'node:url';
import type { Logger } from '../../config/index.js';
import { MigrationError } from '../errors.js';
import { readMigrationFiles, type MigrationFile } from '../migration-files.js';
import {
  currentVersion,
  planMigrations,
  type AppliedMigration,
  type MigrateOptions,
  type MigrationResult,
} from '../migration-plan.js';
import { explainPostgresError, isConnectionError } from './connection-errors.js';
import type { PoolClient, Postgres } from './open-postgres.js';

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_NAME = 'oi_schema_migrations';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS oi_schema_migrations (
  version int PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Applies the pending migrations, each in its own transaction. A session advisory lock
 * (scoped to this database) serializes concurrent starts: the second waits, then finds
 * nothing left to do. Refuses edited or deleted applied files and a database newer than the code.
 */
export async function migratePostgres(db: Postgres, opts: MigrateOptions = {}): Promise<MigrationResult> {
  const logger = opts.logger ?? db.logger;
  const files = await readMigrationFiles(opts.dir ?? POSTGRES_MIGRATIONS_DIR);
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await lock(client, logger);
    try {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedMigration>(
        'SELECT version, name, checksum FROM oi_schema_migrations ORDER BY version'
      );
      const pending = planMigrations('PostgreSQL', files, rows);
      for (const file of pending) {
        await applyOne(client, file);
        logger.info({ version: file.version, migration: file.file }, 'applied PostgreSQL migration');
      }
      return { applied: pending.map((f) => f.file), current: currentVersion([...rows, ...pending]) };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_NAME]).catch((err: Error) => {
        broken = err; // the lock dies with the connection, so destroy it
      });
    }
  } catch (err) {
    throw explainPostgresError(err, db.displayUrl);
  } finally {
    client.release(broken);
  }
}

async function lock(client: PoolClient, logger: Logger): Promise<void> {
  const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS got', [
    LOCK_NAME,
  ]);
  if (rows[0]?.got) return;
  logger.info('another process is migrating PostgreSQL; waiting for it');
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_NAME]);
}

async function applyOne(client: PoolClient, file: MigrationFile): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(file.sql);
    await client.query('INSERT INTO oi_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      file.version,
      file.file,
      file.checksum,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isConnectionError(err)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new MigrationError(`PostgreSQL migration ${file.file} failed and was rolled back: ${reason}`, { cause: err });
  }
}
