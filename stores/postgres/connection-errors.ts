import { redactUrl } from '../../config/index.js';
import { StoreUnavailableError } from '../errors.js';
import { isSocketError, reasonOf } from '../socket-errors.js';

// 57P01-57P03: admin shutdown, crash shutdown, cannot connect now (starting or stopping).
const SERVER_CODES = new Set(['57P01', '57P02', '57P03']);
// pg reports these without a code.
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
];

/** True when the error means "no usable connection", not "the statement failed". */
export function isConnectionError(err: unknown): boolean {
  if (isSocketError(err)) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // class 08: connection exception
  if (typeof code === 'string' && (SERVER_CODES.has(code) || code.startsWith('08'))) return true;
  return CLIENT_MESSAGES.some((re) => re.test(err.message));
}

/** Turns a connection failure into an error that says what to do; other errors pass through. */
export function explainPostgresError(err: unknown, url: string): unknown {
  if (!isConnectionError(err) || err instanceof StoreUnavailableError) return err;
  return new StoreUnavailableError(
    `PostgreSQL at ${redactUrl(url)} is not reachable${reasonOf(err)}: start it with \`optiinfra up\` or set OI_PG_URL`,
    { cause: err }
  );
}
