/**
 * The behaviour every SnapshotStore promises, run over each implementation (STYLE.md
 * Tests 7): `snapshot-store.test.ts` (memory), `tests/postgres-snapshot-store.int.test.ts`.
 * Tests share one store, so each works under its own kind.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotStore, SnapshotWrite } from './snapshot-store.js';

let kinds = 0;
const freshKind = (): string => `k${Date.now().toString(36)}${kinds++}`;

function write(kind: string, key: string, over: Partial<SnapshotWrite> = {}): SnapshotWrite {
  return { kind, key, partition: 2, epoch: 1, v: 1, state: { n: 1 }, lastSeq: 10, ...over };
}

export function describeSnapshotStore(name: string, store: () => SnapshotStore): void {
  describe(`actors snapshot store conformance: ${name}`, () => {
    it('loads nothing for an actor never saved', async () => {
      expect(await store().load(freshKind(), 'nobody')).toBeUndefined();
    });

    it('returns what was saved, with the time it was written', async () => {
      const kind = freshKind();
      const before = Date.now();
      const state = { total: 3, list: [1, 'two', { three: null }], text: 'quote " back\\slash ünïcode ✓' };
      expect(await store().saveMany([write(kind, 'a', { state, v: 3, epoch: 4, partition: 7, lastSeq: 99 })])).toEqual({
        saved: 1,
        fenced: [],
      });
      const { updatedAt, ...got } = (await store().load(kind, 'a'))!;
      expect(got).toEqual({ v: 3, state, epoch: 4, partition: 7, lastSeq: 99 });
      expect(Date.parse(updatedAt)).toBeGreaterThanOrEqual(before - 1_000);
    });

    it('keeps state that is a bare JSON value', async () => {
      const kind = freshKind();
      await store().saveMany([write(kind, 'n', { state: null }), write(kind, 's', { state: 'x' })]);
      expect((await store().load(kind, 'n'))?.state).toBeNull();
      expect((await store().load(kind, 's'))?.state).toBe('x');
    });

    it('saves a batch of many actors in one call', async () => {
      const kind = freshKind();
      const batch = Array.from({ length: 1_500 }, (_, i) => write(kind, `wl-${i}`, { lastSeq: i + 1 }));
      expect(await store().saveMany(batch)).toEqual({ saved: 1_500, fenced: [] });
      expect((await store().load(kind, 'wl-1499'))?.lastSeq).toBe(1_500);
    });

    it('treats an empty batch as nothing to do', async () => {
      expect(await store().saveMany([])).toEqual({ saved: 0, fenced: [] });
    });

    it('overwrites under the same or a newer epoch', async () => {
      const kind = freshKind();
      await store().saveMany([write(kind, 'a', { epoch: 2, lastSeq: 5 })]);
      await store().saveMany([write(kind, 'a', { epoch: 2, lastSeq: 6, state: { n: 2 } })]);
      expect(await store().load(kind, 'a')).toMatchObject({ epoch: 2, lastSeq: 6, state: { n: 2 } });
      await store().saveMany([write(kind, 'a', { epoch: 5, lastSeq: 7, partition: 3, v: 2, state: { n: 3 } })]);
      expect(await store().load(kind, 'a')).toMatchObject({
        epoch: 5,
        lastSeq: 7,
        partition: 3,
        v: 2,
        state: { n: 3 },
      });
    });

    it('refuses a lower epoch, reports it, and still saves the rest of the batch', async () => {
      const kind = freshKind();
      await store().saveMany([write(kind, 'owned', { epoch: 9, lastSeq: 50, state: { by: 'new owner' } })]);
      const result = await store().saveMany([
        write(kind, 'owned', { epoch: 8, lastSeq: 60, state: { by: 'stale owner' } }),
        write(kind, 'free', { epoch: 8 }),
      ]);
      expect(result).toEqual({ saved: 1, fenced: [{ kind, key: 'owned', partition: 2, storedEpoch: 9, epoch: 8 }] });
      expect(await store().load(kind, 'owned')).toMatchObject({ epoch: 9, lastSeq: 50, state: { by: 'new owner' } });
      expect(await store().load(kind, 'free')).toMatchObject({ epoch: 8 });
    });

    it('refuses writes below a partition fence, also for actors never saved, and never lowers it', async () => {
      const kind = freshKind();
      const partition = 1_000 + kinds;
      await store().fencePartition(partition, 6);
      await store().fencePartition(partition, 4);
      const result = await store().saveMany([
        write(kind, 'late', { partition, epoch: 5 }),
        write(kind, 'current', { partition, epoch: 6 }),
        write(kind, 'elsewhere', { partition: partition + 1, epoch: 1 }),
      ]);
      expect(result).toEqual({ saved: 2, fenced: [{ kind, key: 'late', partition, storedEpoch: 6, epoch: 5 }] });
      expect(await store().load(kind, 'late')).toBeUndefined();
      expect(await store().load(kind, 'current')).toMatchObject({ epoch: 6 });
    });

    it('keeps actors of different kinds with the same key apart', async () => {
      const [a, b] = [freshKind(), freshKind()];
      await store().saveMany([write(a, 'wl-1', { epoch: 5, state: 'a' }), write(b, 'wl-1', { epoch: 1, state: 'b' })]);
      expect((await store().load(a, 'wl-1'))?.state).toBe('a');
      expect((await store().load(b, 'wl-1'))?.state).toBe('b');
    });

    it('refuses a batch naming one actor twice, writing none of it', async () => {
      const kind = freshKind();
      await expect(store().saveMany([write(kind, 'x'), write(kind, 'y'), write(kind, 'x')])).rejects.toThrow(
        `${kind}:x twice`
      );
      expect(await store().load(kind, 'y')).toBeUndefined();
    });

    it('refuses state that is not JSON, writing none of the batch', async () => {
      const kind = freshKind();
      await expect(store().saveMany([write(kind, 'ok'), write(kind, 'bad', { state: undefined })])).rejects.toThrow(
        'not JSON-serializable'
      );
      expect(await store().load(kind, 'ok')).toBeUndefined();
    });
  });
}
