/**
 * Store errors. Codes come from the service error catalog (schemas/errors.ts) so a service
 * can answer with them unchanged.
 */

/** A store is not reachable; the message says how to get it running. Retrying later may work. */
export class StoreUnavailableError extends Error {
  readonly code = 'OI_UNAVAILABLE';
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The stored schema and the migration files disagree; a person has to decide, so never retried. */
export class MigrationError extends Error {
  readonly code = 'OI_CONFLICT';
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError;
}
