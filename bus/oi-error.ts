import { ERROR_CODES, describeIssues, type ErrorCode, type FieldIssue } from '../schemas/index.js';

/** A typed failure that crosses the bus intact: services answer with it, clients rebuild it. */
export class OiError extends Error {
  override name = 'OiError';
  readonly status: number;
  /** The message without the issues appended. */
  readonly summary: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly hint?: string
  ) {
    super(issues.length ? `${message}: ${describeIssues(issues)}` : message);
    this.status = ERROR_CODES[code].status;
    this.summary = message;
  }
}

export function isOiError(err: unknown, code?: ErrorCode): err is OiError {
  return err instanceof OiError && (code === undefined || err.code === code);
}
