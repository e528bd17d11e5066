/**
 * Actor runtime errors. Codes come from the service error catalog (schemas/errors.ts), as
 * in stores/errors.ts. What the host does with each: `ActorStoppedError` and
 * `UnknownActorKindError` dead-letter the message; `SnapshotVersionError` leaves it
 * unacked (a newer host should take it); `DeliveryRefusedError` leaves it unacked, for
 * the partition's next owner.
 */

/** Supervision gave up on the actor: too many restarts within the period. */
export class ActorStoppedError extends Error {
  readonly code = 'OI_INTERNAL';
  readonly retryable = false;

  constructor(
    readonly actor: string,
    /** Processing-clock ms until which deliveries to the actor are refused. */
    readonly until: number,
    options?: ErrorOptions
  ) {
    super(`actor ${actor} is stopped after repeated failures; deliveries are refused until ${until}`, options);
    this.name = 'ActorStoppedError';
  }
}

/** A persisted snapshot this code cannot read: newer than the logic, or older with no upcast. */
export class SnapshotVersionError extends Error {
  readonly code = 'OI_CONFLICT';
  readonly retryable = false;

  constructor(
    readonly actor: string,
    readonly storedVersion: number,
    readonly logicVersion: number
  ) {
    super(
      storedVersion > logicVersion
        ? `snapshot of ${actor} is v${storedVersion}, newer than this code's v${logicVersion}: run a newer host`
        : `snapshot of ${actor} is v${storedVersion} and logic v${logicVersion} has no upcast for it`
    );
    this.name = 'SnapshotVersionError';
  }
}

export const RefusalReason = {
  /** The partition was released by this host (moved away). */
  Released: 'released',
  /** The partition was abandoned (lease lost), or superseded by a delivery under a newer epoch. */
  Abandoned: 'abandoned',
  /** The host rewound the partition after a failed round; the message comes again. */
  Rewound: 'rewound',
  /** The store holds this actor under a newer epoch: another host owns it now. */
  Fenced: 'fenced',
  /** The delivery carries an epoch older than the partition's current one. */
  StaleEpoch: 'stale-epoch',
  /** The actor lives in another partition than the delivery names. */
  WrongPartition: 'wrong-partition',
  /** The system is stopping. */
  Stopping: 'stopping',
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

/** Control flow, not failure: this host no longer (or not yet) owns the message; don't ack it, don't log an error. */
export class DeliveryRefusedError extends Error {
  readonly code = 'OI_UNAVAILABLE';
  readonly retryable = true;

  constructor(
    readonly actor: string,
    readonly reason: RefusalReason
  ) {
    super(`delivery to ${actor} refused: ${reason}`);
    this.name = 'DeliveryRefusedError';
  }
}

/** No logic is registered for the delivery's kind. */
export class UnknownActorKindError extends Error {
  readonly code = 'OI_NOT_FOUND';
  readonly retryable = false;

  constructor(readonly kind: string) {
    super(`no actor logic registered for kind '${kind}'`);
    this.name = 'UnknownActorKindError';
  }
}

export function isActorStopped(err: unknown): err is ActorStoppedError {
  return err instanceof ActorStoppedError;
}

export function isDeliveryRefused(err: unknown, reason?: RefusalReason): err is DeliveryRefusedError {
  return err instanceof DeliveryRefusedError && (reason === undefined || err.reason === reason);
}
