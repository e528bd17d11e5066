import { randomBytes } from 'node:crypto';

/** A database created for one test file; dropping it is idempotent. */
export interface TestDatabase extends AsyncDisposable {
  readonly name: string;
  /** A URL that selects this database (pg connection string, or ClickHouse URL with it as path). */
  readonly url: string;
  drop(): Promise<void>;
}

/** `<prefix>_<time>_<random>`: lowercase, unique across workers, safe unquoted in both SQL dialects. */
export function uniqueDatabaseName(prefix = 'test'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^[^a-z_]/, '_$&')
    .slice(0, 30);
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function testDatabase(name: string, url: string, dropIt: () => Promise<void>): TestDatabase {
  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> =>
    (dropped ??= dropIt().catch((err: unknown) => {
      dropped = undefined; // let a later call try again
      throw err;
    }));
  return { name, url, drop, [Symbol.asyncDispose]: drop };
}
