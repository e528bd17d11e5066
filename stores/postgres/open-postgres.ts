import pg from 'pg';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { redactUrl, silentLogger, type Logger } from '../../config/index.js';
import { explainPostgresError } from './connection-errors.js';

export type { PoolClient, QueryResult, QueryResultRow } from 'pg';

export interface PostgresOptions {
  url: string;
  logger?: Logger;
  /** Pool size; default 10. */
  max?: number;
  /** Shown in pg_stat_activity; default `optiinfra`. */
  applicationName?: string;
  /** How long to wait for a connection before failing with OI_UNAVAILABLE; default 5000. */
  connectTimeoutMs?: number;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** A PostgreSQL pool whose connection failures read as OI_UNAVAILABLE errors with a hint. */
export interface Postgres extends AsyncDisposable {
  readonly pool: pg.Pool;
  /** The URL with its password masked, for logs and messages. */
  readonly displayUrl: string;
  readonly logger: Logger;
  query<R extends QueryResultRow = QueryResultRow>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** A dedicated connection; call `release()` when done. */
  connect(): Promise<PoolClient>;
  /**
   * Runs `fn` inside BEGIN/COMMIT (ROLLBACK on throw). A serialization failure or deadlock
   * reruns `fn` once, so `fn` must touch nothing but `client`.
   */
  withTransaction<T>(fn: (client: PoolClient) => Promise<T>, opts?: { isolation?: IsolationLevel }): Promise<T>;
  close(): Promise<void>;
}

// 40001 serialization_failure, 40P01 deadlock_detected: the transaction may succeed if rerun.
const RETRYABLE_TX_CODES = new Set(['40001', '40P01']);

export function openPostgres(opts: PostgresOptions): Postgres {
  const logger = opts.logger ?? silentLogger;
  const displayUrl = redactUrl(opts.url);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'optiinfra',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err, url: displayUrl }, 'idle PostgreSQL connection failed'));
  const explain = (err: unknown): unknown => explainPostgresError(err, opts.url);

  async function connect(): Promise<PoolClient> {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw explain(err);
    }
    // pg-pool drops its own listener while a client is checked out; a lost socket would then crash us.
    const onError = (err: Error): void =>
      logger.warn({ err, url: displayUrl }, 'PostgreSQL connection failed while in use');
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = (err?: Error | boolean): void => {
      client.removeListener('error', onError);
      release(err);
    };
    return client;
  }

  async function transactOnce<T>(fn: (client: PoolClient) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    const client = await connect();
    let broken: Error | undefined;
    try {
      await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw explain(err);
    } finally {
      // a connection that could not roll back is destroyed rather than reused
      client.release(broken);
    }
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= pool.end());

  return {
    pool,
    displayUrl,
    logger,
    async query<R extends QueryResultRow = QueryResultRow>(text: string, params?: readonly unknown[]) {
      try {
        return await pool.query<R>(text, params as unknown[] | undefined);
      } catch (err) {
        throw explain(err);
      }
    },
    connect,
    async withTransaction<T>(fn: (client: PoolClient) => Promise<T>, txOpts: { isolation?: IsolationLevel } = {}) {
      try {
        return await transactOnce(fn, txOpts.isolation);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== 'string' || !RETRYABLE_TX_CODES.has(code)) throw err;
        logger.debug({ code }, 'transaction conflicted; retrying once');
        return await transactOnce(fn, txOpts.isolation);
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
