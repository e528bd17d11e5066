const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** True for a network-level failure (refused, reset, unresolvable, timed out), whatever the client. */
export function isSocketError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  // Node reports a refused dual-stack connect as an AggregateError with one error per address
  if (err instanceof AggregateError) return err.errors.some(isSocketError);
  return err.cause !== undefined && err.cause !== err && isSocketError(err.cause);
}

/** The error's own message in parentheses, or nothing when it has none (AggregateError). */
export function reasonOf(err: unknown): string {
  return err instanceof Error && err.message ? ` (${err.message})` : '';
}
