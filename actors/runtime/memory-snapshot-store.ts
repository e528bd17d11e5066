import { actorId } from './actor-logic.js';
import {
  assertUniqueWrites,
  type FencedWrite,
  type SaveResult,
  type Snapshot,
  type SnapshotStore,
  type SnapshotWrite,
} from './snapshot-store.js';

/**
 * In-process snapshots, for tests and single-process simulation. State goes through JSON
 * on the way in and out, as it does through PostgreSQL's jsonb, so a state that would not
 * survive the real store fails here too.
 */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #rows = new Map<string, Omit<Snapshot, 'state'> & { json: string }>();
  readonly #fences = new Map<number, number>();

  load(kind: string, key: string): Promise<Snapshot | undefined> {
    const row = this.#rows.get(actorId(kind, key));
    if (!row) return Promise.resolve(undefined);
    const { json, ...rest } = row;
    return Promise.resolve({ ...rest, state: JSON.parse(json) as unknown });
  }

  saveMany(entries: readonly SnapshotWrite[]): Promise<SaveResult> {
    // a throw in the executor becomes the rejection
    return new Promise((resolve) => resolve(this.#save(entries)));
  }

  fencePartition(partition: number, epoch: number): Promise<void> {
    this.#fences.set(partition, Math.max(epoch, this.#fences.get(partition) ?? 0));
    return Promise.resolve();
  }

  /** How many actors have a snapshot. */
  get size(): number {
    return this.#rows.size;
  }

  #save(entries: readonly SnapshotWrite[]): SaveResult {
    assertUniqueWrites(entries);
    // serialize all first, so a bad state writes none of the batch
    const rows = entries.map((e) => {
      const json = JSON.stringify(e.state) as string | undefined;
      if (json === undefined) throw new Error(`state of ${actorId(e.kind, e.key)} is not JSON-serializable`);
      return { e, json };
    });
    const fenced: FencedWrite[] = [];
    let saved = 0;
    const updatedAt = new Date().toISOString();
    for (const { e, json } of rows) {
      const id = actorId(e.kind, e.key);
      const stored = this.#rows.get(id);
      const mark = Math.max(stored?.epoch ?? 0, this.#fences.get(e.partition) ?? 0);
      if (mark > e.epoch) {
        fenced.push({ kind: e.kind, key: e.key, partition: e.partition, storedEpoch: mark, epoch: e.epoch });
        continue;
      }
      this.#rows.set(id, { v: e.v, json, epoch: e.epoch, partition: e.partition, lastSeq: e.lastSeq, updatedAt });
      saved++;
    }
    return { saved, fenced };
  }
}
