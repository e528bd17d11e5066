import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { redactUrl, silentLogger, type Logger } from '../../config/index.js';
import { clientLoggerClass } from './client-logger.js';
import { explainClickHouseError, unavailable } from './connection-errors.js';

export type { ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseOptions {
  /** HTTP endpoint, e.g. `http://127.0.0.1:8123`. */
  url: string;
  /** Created if missing; letters, digits and `_` only. */
  database: string;
  logger?: Logger;
  username?: string;
  password?: string;
  /** Per-request timeout; default 30000. */
  requestTimeoutMs?: number;
}

export type QueryParams = Record<string, unknown>;

/**
 * A ClickHouse client bound to one database. DateTime values go in and come out as
 * ISO-8601 strings (`Date#toISOString()` in, `new Date(s)` out).
 */
export interface ClickHouse extends AsyncDisposable {
  readonly client: ClickHouseClient;
  readonly database: string;
  /** The URL with its password masked, for logs and messages. */
  readonly displayUrl: string;
  readonly logger: Logger;
  /** A SELECT read as JSONEachRow; `params` bind its `{name:Type}` query parameters. */
  query<T>(sql: string, params?: QueryParams): Promise<T[]>;
  /** A statement without a result (DDL, INSERT … SELECT). */
  command(sql: string, params?: QueryParams): Promise<void>;
  insert<T extends object>(table: string, rows: readonly T[]): Promise<void>;
  /** True when the server answers `/ping`; never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Connects, checks the server answers, and creates the database if missing. */
export async function openClickHouse(opts: ClickHouseOptions): Promise<ClickHouse> {
  if (!DATABASE_NAME.test(opts.database)) {
    throw new Error(`ClickHouse database name ${JSON.stringify(opts.database)} must match ${String(DATABASE_NAME)}`);
  }
  const logger = opts.logger ?? silentLogger;
  const url = serverUrl(opts.url, opts.database);
  const displayUrl = redactUrl(url);
  const make = (database: string): ClickHouseClient =>
    createClient({
      url,
      database,
      // the client lets credentials in the URL win over these, so pass only what was given
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      request_timeout: opts.requestTimeoutMs ?? 30_000,
      application: 'optiinfra',
      log: { LoggerClass: clientLoggerClass(logger) },
      clickhouse_settings: { date_time_input_format: 'best_effort', date_time_output_format: 'iso' },
    });

  // the database must exist before a client can name it as its default
  const admin = make('default');
  try {
    const pong = await admin.ping();
    if (!pong.success) throw unavailable(url, pong.error);
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS \`${opts.database}\`` });
  } catch (err) {
    throw explainClickHouseError(err, url);
  } finally {
    await admin.close();
  }

  const client = make(opts.database);
  const guard = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      throw explainClickHouseError(err, url);
    }
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= client.close());

  return {
    client,
    database: opts.database,
    displayUrl,
    logger,
    query: <T>(sql: string, params?: QueryParams) =>
      guard(
        (async (): Promise<T[]> => {
          const rs = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
          return rs.json<T>();
        })()
      ),
    command: (sql: string, params?: QueryParams) =>
      guard(client.command({ query: sql, query_params: params }).then(() => undefined)),
    insert: async <T extends object>(table: string, rows: readonly T[]) => {
      if (rows.length === 0) return;
      await guard(client.insert({ table, values: rows as T[], format: 'JSONEachRow' }));
    },
    ping: async () => (await client.ping()).success,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The URL without a database path; the client would let a path override `database`. */
function serverUrl(raw: string, database: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    throw new Error(`ClickHouse URL ${JSON.stringify(redactUrl(raw))} is not a URL; expected http://host:8123`, {
      cause: err,
    });
  }
  const inPath = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  if (inPath && inPath !== database) {
    throw new Error(
      `ClickHouse URL ${redactUrl(raw)} names database ${inPath} but ${database} was asked for; drop the path`
    );
  }
  u.pathname = '/';
  return u.toString();
}
