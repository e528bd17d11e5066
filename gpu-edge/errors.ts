/** Errors of the edge telemetry: each names where it happened so an operator can act on it. */

/** Input that breaks its format: names the line (1-based) and, where known, the field and the rule. */
export class TelemetryParseError extends Error {
  override name = 'TelemetryParseError';
  constructor(
    readonly format: string,
    readonly line: number,
    readonly field: string | undefined,
    readonly rule: string,
    detail: string
  ) {
    super(`${format} line ${line}${field ? `, field ${field}` : ''}: ${detail} (${rule})`);
  }
}

/** The configured nvidia-smi does not exist: a startup error, never retried in a loop. */
export class NvidiaSmiNotFoundError extends Error {
  override name = 'NvidiaSmiNotFoundError';
  constructor(readonly path: string) {
    super(`nvidia-smi not found at ${path}: install the NVIDIA driver or set OI_NVIDIA_SMI`);
  }
}

/** A source could not be read this time (timeout, exit code, HTTP status, bad payload); retried next interval. */
export class ScrapeError extends Error {
  override name = 'ScrapeError';
  constructor(
    readonly source: string,
    message: string,
    options?: ErrorOptions
  ) {
    super(`${source}: ${message}`, options);
  }
}
