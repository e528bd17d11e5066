/** Closed set of cloud failures; `retryable` says whether the same call may succeed later. */
export const CloudErrorCode = {
  capacityUnavailable: 'CLOUD_CAPACITY_UNAVAILABLE',
  unknownInstanceType: 'CLOUD_UNKNOWN_INSTANCE_TYPE',
  unknownZone: 'CLOUD_UNKNOWN_ZONE',
  optionNotOffered: 'CLOUD_OPTION_NOT_OFFERED',
  noReservation: 'CLOUD_NO_RESERVATION',
  unknownInstance: 'CLOUD_UNKNOWN_INSTANCE',
  invalidArgument: 'CLOUD_INVALID_ARGUMENT',
} as const;
export type CloudErrorCode = (typeof CloudErrorCode)[keyof typeof CloudErrorCode];

export class CloudError extends Error {
  override name = 'CloudError';
  readonly retryable: boolean;
  constructor(
    readonly code: CloudErrorCode,
    message: string,
    readonly details: Record<string, string | number> = {}
  ) {
    super(message);
    this.retryable = code === CloudErrorCode.capacityUnavailable || code === CloudErrorCode.noReservation;
  }
}

export function isCloudError(err: unknown, code?: CloudErrorCode): err is CloudError {
  return err instanceof CloudError && (code === undefined || err.code === code);
}
