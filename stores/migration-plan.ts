import { MigrationError } from './errors.js';
import type { Logger } from '../config/index.js';
import type { MigrationFile } from './migration-files.js';

export interface MigrateOptions {
  logger?: Logger;
  /** The migrations folder; defaults to the one shipped with the store. */
  dir?: string;
}

/** What a migration run did: the files it applied (empty when up to date) and the version now. */
export interface MigrationResult {
  applied: string[];
  current: number;
}

/** A row of `oi_schema_migrations`. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

/**
 * The files still to apply, in order. Throws when the database and the files disagree:
 * an applied file was edited or deleted, or the database is newer than this code.
 */
export function planMigrations(
  store: string,
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[]
): MigrationFile[] {
  const highestFile = files.at(-1)?.version ?? 0;
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const row of [...applied].sort((a, b) => a.version - b.version)) {
    if (row.version > highestFile) {
      throw new MigrationError(
        `${store} schema is at version ${row.version} (${row.name}) but this code knows migrations up to ` +
          `${highestFile}: the database was migrated by a newer OptiInfra; run that version or a newer one`
      );
    }
    const file = byVersion.get(row.version);
    if (!file) {
      throw new MigrationError(
        `${store} migration ${row.name} (version ${row.version}) is recorded as applied but its file is missing; restore it`
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `${store} migration ${file.file} was edited after it was applied; add a new migration instead`
      );
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return files.filter((f) => !done.has(f.version));
}

/** The version a database is at: the highest applied migration, 0 when none. */
export function currentVersion(applied: readonly { version: number }[]): number {
  return applied.reduce((max, a) => Math.max(max, a.version), 0);
}
