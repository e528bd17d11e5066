import { actorId } from './actor-logic.js';

/** An actor's persisted state; one row per (kind, key). */
export interface Snapshot {
  /** Version of the logic that wrote `state` (`ActorLogic.version`). */
  v: number;
  state: unknown;
  /** Lease epoch of the writer: a lower one can never overwrite it. */
  epoch: number;
  partition: number;
  /** Stream sequence of the last message applied, for skipping redeliveries. */
  lastSeq: number;
  /** ISO-8601, set by the store. */
  updatedAt: string;
}

export interface SnapshotWrite {
  kind: string;
  key: string;
  partition: number;
  epoch: number;
  v: number;
  state: unknown;
  lastSeq: number;
}

export interface FencedWrite {
  kind: string;
  key: string;
  /** Partition the refused write named: the host stops trusting its lease on it. */
  partition: number;
  /** Epoch of the row that refused the write. */
  storedEpoch: number;
  /** Epoch the refused write carried. */
  epoch: number;
}

export interface SaveResult {
  saved: number;
  fenced: FencedWrite[];
}

/**
 * Where actors persist between activations. Saves are fenced: a write whose epoch is below
 * the stored row's is refused and reported, never written, so a stale owner cannot roll
 * back what the current one saved (DESIGN.md "Actors and placement").
 */
export interface SnapshotStore {
  load(kind: string, key: string): Promise<Snapshot | undefined>;
  /** Writes a batch; (kind, key) must be unique within it. */
  saveMany(entries: readonly SnapshotWrite[]): Promise<SaveResult>;
  /**
   * Raises the partition's fence to `epoch` (never lowers it): from then on every write for the
   * partition under a lower epoch is refused. A new owner calls it before loading any state.
   */
  fencePartition(partition: number, epoch: number): Promise<void>;
}

/** Rejects a batch naming one actor twice: which write should win would be a guess. */
export function assertUniqueWrites(entries: readonly SnapshotWrite[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    const id = actorId(e.kind, e.key);
    if (seen.has(id)) throw new Error(`snapshot batch names ${id} twice; send one write per actor`);
    seen.add(id);
  }
}
