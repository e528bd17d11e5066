/** Closed set of failures for a configuration or request the simulator refuses. */
export const SimConfigErrorCode = {
  invalidField: 'SIM_INVALID_FIELD',
  unknownModel: 'SIM_UNKNOWN_MODEL',
  unknownGpu: 'SIM_UNKNOWN_GPU',
  doesNotFit: 'SIM_DOES_NOT_FIT',
} as const;
export type SimConfigErrorCode = (typeof SimConfigErrorCode)[keyof typeof SimConfigErrorCode];

/** A configuration or request the simulator refuses; `field` names the offending field, `rule` the broken rule. */
export class SimConfigError extends Error {
  override name = 'SimConfigError';
  constructor(
    readonly code: SimConfigErrorCode,
    readonly field: string,
    readonly rule: string,
    message: string
  ) {
    super(`${field}: ${message} (${rule})`);
  }
}

export function isSimConfigError(err: unknown, code?: SimConfigErrorCode): err is SimConfigError {
  return err instanceof SimConfigError && (code === undefined || err.code === code);
}

export function invalidField(field: string, rule: string, message: string): SimConfigError {
  return new SimConfigError(SimConfigErrorCode.invalidField, field, rule, message);
}
