import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from './errors.js';

/** One `NNN_name.sql` file; `checksum` is the sha256 of its bytes, so any edit shows. */
export interface MigrationFile {
  readonly version: number;
  readonly file: string;
  readonly sql: string;
  readonly checksum: string;
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9][a-z0-9_]*)\.sql$/;

/** Reads a migrations folder, ordered by version; a misnamed `.sql` or a repeated version throws. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const out: MigrationFile[] = [];
  for (const file of names) {
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new MigrationError(`migration file ${file} in ${dir} is not named NNN_name.sql`);
    const bytes = await readFile(join(dir, file));
    const version = Number(m[1]);
    const clash = out.find((f) => f.version === version);
    if (clash) throw new MigrationError(`migrations ${clash.file} and ${file} share version ${version}`);
    out.push({ version, file, sql: bytes.toString('utf8'), checksum: sha256(bytes) });
  }
  return out.sort((a, b) => a.version - b.version);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
