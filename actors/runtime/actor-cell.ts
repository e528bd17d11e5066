import type { AnyActorLogic, Delivery, DeliveryResult } from './actor-logic.js';
import type { Mailbox } from './mailbox.js';
import type { SnapshotWrite } from './snapshot-store.js';

/** A delivery waiting for its turn, with the promise `deliver` returned. */
export interface Job<E> {
  d: Delivery<unknown>;
  resolve(result: DeliveryResult<E>): void;
  reject(err: unknown): void;
}

/**
 * One live actor. Kept flat and small: a host holds ~40,000 of them, and the optional
 * parts (mailbox, restart history) exist only while needed.
 */
export interface Cell<E> {
  readonly id: string;
  readonly key: string;
  readonly partition: number;
  /** Epoch of the lease the actor was activated under; its snapshots carry it. */
  readonly epoch: number;
  readonly logic: AnyActorLogic<E>;
  state: unknown;
  /** `state` holds the restored or initial state. */
  loaded: boolean;
  /** The in-memory state is to be discarded and reloaded before the next turn (after a failure). */
  needsReset: boolean;
  lastSeq: number;
  /** `lastSeq` of the newest snapshot known to be stored; dirty while below `lastSeq`. */
  savedSeq: number;
  /** Processing-clock ms of the last delivery or turn. */
  lastActiveMs: number;
  mailbox: Mailbox<Job<E>> | undefined;
  /** The running drain of the mailbox, if any. */
  turn: Promise<void> | undefined;
  /** Set once the cell is gone (released, abandoned, fenced…): what its remaining jobs are rejected with. */
  dropped: Error | undefined;
  /** Times of restarts within the supervision window. */
  restartTimes: number[] | undefined;
  /** While set and in the future, deliveries are refused (supervision stopped the actor). */
  stoppedUntil: number | undefined;
}

export function createCell<E>(
  id: string,
  key: string,
  partition: number,
  epoch: number,
  logic: AnyActorLogic<E>,
  now: number
): Cell<E> {
  return {
    id,
    key,
    partition,
    epoch,
    logic,
    state: undefined,
    loaded: false,
    needsReset: false,
    lastSeq: 0,
    savedSeq: 0,
    lastActiveMs: now,
    mailbox: undefined,
    turn: undefined,
    dropped: undefined,
    restartTimes: undefined,
    stoppedUntil: undefined,
  };
}

export function isDirty<E>(cell: Cell<E>): boolean {
  return cell.loaded && cell.lastSeq > cell.savedSeq;
}

export function toWrite<E>(cell: Cell<E>): SnapshotWrite {
  return {
    kind: cell.logic.kind,
    key: cell.key,
    partition: cell.partition,
    epoch: cell.epoch,
    v: cell.logic.version,
    state: cell.state,
    lastSeq: cell.lastSeq,
  };
}
