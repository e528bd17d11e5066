import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrationFiles } from './migration-files.js';

describe('stores readMigrationFiles', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oi-migrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('orders files by number and checksums their bytes', async () => {
    await writeFile(join(dir, '010_later.sql'), 'SELECT 10;');
    await writeFile(join(dir, '002_early.sql'), 'SELECT 2;');
    await writeFile(join(dir, 'README.md'), 'not a migration');
    const files = await readMigrationFiles(dir);
    expect(files.map((f) => [f.version, f.file])).toEqual([
      [2, '002_early.sql'],
      [10, '010_later.sql'],
    ]);
    expect(files[0]!.checksum).toBe(createHash('sha256').update('SELECT 2;').digest('hex'));
  });

  it('refuses a misnamed sql file', async () => {
    await writeFile(join(dir, '1-init.sql'), 'SELECT 1;');
    await expect(readMigrationFiles(dir)).rejects.toThrow(/1-init\.sql .* is not named NNN_name\.sql/);
  });

  it('refuses two files with one version', async () => {
    await writeFile(join(dir, '001_a.sql'), 'SELECT 1;');
    await writeFile(join(dir, '0001_b.sql'), 'SELECT 1;');
    await expect(readMigrationFiles(dir)).rejects.toThrow(/share version 1/);
  });
});
