import { redactUrl } from '../../config/index.js';
import { StoreUnavailableError } from '../errors.js';
import { isSocketError, reasonOf } from '../socket-errors.js';

/** True when the error means "no usable connection"; the client's request timeout counts. */
export function isConnectionError(err: unknown): boolean {
  return isSocketError(err) || (err instanceof Error && /^Timeout error/.test(err.message));
}

/** Turns a connection failure into an error that says what to do; other errors pass through. */
export function explainClickHouseError(err: unknown, url: string): unknown {
  if (!isConnectionError(err) || err instanceof StoreUnavailableError) return err;
  return unavailable(url, err);
}

export function unavailable(url: string, cause: unknown): StoreUnavailableError {
  return new StoreUnavailableError(
    `ClickHouse at ${redactUrl(url)} is not reachable${reasonOf(cause)}: start it with \`optiinfra up\` or set OI_CLICKHOUSE_URL`,
    { cause }
  );
}
