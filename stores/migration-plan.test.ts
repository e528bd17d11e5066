import { describe, expect, it } from 'vitest';
import { MigrationError } from './errors.js';
import type { MigrationFile } from './migration-files.js';
import { currentVersion, planMigrations } from './migration-plan.js';

const file = (version: number, name: string, checksum = `sum-${version}`): MigrationFile => ({
  version,
  file: `${String(version).padStart(3, '0')}_${name}.sql`,
  sql: '',
  checksum,
});
const files = [file(1, 'init'), file(2, 'vector'), file(3, 'more')];
const row = (f: MigrationFile, checksum = f.checksum): { version: number; name: string; checksum: string } => ({
  version: f.version,
  name: f.file,
  checksum,
});

describe('stores planMigrations', () => {
  it('returns the files not yet applied, in order', () => {
    expect(planMigrations('PostgreSQL', files, [row(files[0]!)]).map((f) => f.file)).toEqual([
      '002_vector.sql',
      '003_more.sql',
    ]);
    expect(
      planMigrations(
        'PostgreSQL',
        files,
        files.map((f) => row(f))
      )
    ).toEqual([]);
  });

  it('applies a file numbered below the current version that was never applied', () => {
    const plan = planMigrations('PostgreSQL', files, [row(files[0]!), row(files[2]!)]);
    expect(plan.map((f) => f.version)).toEqual([2]);
  });

  it('refuses an applied file whose checksum changed, naming it', () => {
    const run = (): unknown => planMigrations('PostgreSQL', files, [row(files[0]!, 'other')]);
    expect(run).toThrow(MigrationError);
    expect(run).toThrow(
      'PostgreSQL migration 001_init.sql was edited after it was applied; add a new migration instead'
    );
  });

  it('refuses a database newer than the files', () => {
    const newer = { version: 4, name: '004_future.sql', checksum: 'x' };
    expect(() => planMigrations('ClickHouse', files, [newer])).toThrow(
      /ClickHouse schema is at version 4 \(004_future\.sql\) but this code knows migrations up to 3/
    );
  });

  it('refuses an applied version whose file is gone', () => {
    const gone = [files[0]!, files[2]!];
    expect(() =>
      planMigrations(
        'PostgreSQL',
        gone,
        files.map((f) => row(f))
      )
    ).toThrow(/002_vector\.sql \(version 2\) is recorded as applied but its file is missing/);
  });

  it('reports version 0 for an empty database', () => {
    expect(currentVersion([])).toBe(0);
    expect(currentVersion([{ version: 3 }, { version: 1 }])).toBe(3);
  });
});
