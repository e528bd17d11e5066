import { startClickHouse } from './clickhouse.js';
import type { ClickHouseHandle } from './clickhouse.js';
import { startPostgres } from './postgres.js';
import type { PostgresHandle } from './postgres.js';

// One server per vitest worker process; each test file makes its own database on it.
// process.ts already kills every server and removes its dir on 'exit' and on SIGTERM
// (how vitest ends workers); unref lets a plain script end, and beforeExit stops gently.

interface Stoppable {
  stop(): Promise<void>;
  unref?(): void;
}

function singleton<T extends Stoppable>(start: () => Promise<T>): () => Promise<T> {
  let server: Promise<T> | undefined;
  return () => {
    server ??= start().then(
      (s) => {
        s.unref?.();
        process.once('beforeExit', () => void s.stop().catch(() => undefined));
        return s;
      },
      (err: unknown) => {
        server = undefined; // let the next caller try again
        throw err;
      }
    );
    return server;
  };
}

/** This worker's PostgreSQL (started on first use, stopped when the process exits). */
export const sharedPostgres: () => Promise<PostgresHandle> = singleton(startPostgres);

/** This worker's ClickHouse (started on first use, stopped when the process exits). */
export const sharedClickHouse: () => Promise<ClickHouseHandle> = singleton(startClickHouse);
