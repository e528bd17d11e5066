import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ActorSystem } from './actor-system.js';
import { ManualClock } from './clock.js';
import { SnapshotVersionError, UnknownActorKindError } from './errors.js';
import { SpyStore, tally, tallyLogic, type TallyEffect, type TallyMsg, type TallyState } from './fixtures/harness.js';
import type { Snapshot } from './snapshot-store.js';

function setup(hook?: (state: TallyState, msg: TallyMsg) => void): {
  system: ActorSystem<TallyEffect>;
  store: SpyStore;
} {
  const store = new SpyStore();
  const system = new ActorSystem<TallyEffect>({ logics: [tallyLogic(hook)], store, clock: new ManualClock() });
  return { system, store };
}

describe('actors ActorSystem turns', () => {
  it('applies messages to one actor in order and returns each turn’s effects under the epoch given', async () => {
    const { system } = setup();
    const a = await system.deliver(tally('wl-1', 1, 5), 3);
    const b = await system.deliver(tally('wl-1', 2, 2), 3);
    expect(a).toEqual({
      effects: [{ actor: 'tally:wl-1', total: 5, epoch: 3, at: 1_000 }],
      skipped: false,
      actor: 'tally:wl-1',
    });
    expect(b.effects).toEqual([{ actor: 'tally:wl-1', total: 7, epoch: 3, at: 2_000 }]);
    expect(system.stats()).toMatchObject({ active: 1, byPartition: { 0: 1 }, processed: 2 });
  });

  it('never interleaves two messages to one actor, even while its activation waits on the store', async () => {
    const seen: Array<[number, string]> = [];
    const { system, store } = setup((state, msg) => seen.push([state.total, msg.id]));
    const release = store.hold('wl-1');
    const pending = [1, 2, 3].map((seq) => system.deliver(tally('wl-1', seq, 10), 1));
    await Promise.resolve();
    expect(seen).toEqual([]); // nothing runs before the snapshot is in
    release();
    const results = await Promise.all(pending);
    expect(seen).toEqual([
      [0, 'm1'],
      [10, 'm2'],
      [20, 'm3'],
    ]);
    expect(results.map((r) => r.effects[0]?.total)).toEqual([10, 20, 30]);
    expect(store.loads).toEqual(['wl-1']); // activated once
  });

  it('runs other actors while one waits', async () => {
    const { system, store } = setup();
    const release = store.hold('slow');
    const slow = system.deliver(tally('slow', 1), 1);
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    expect((await system.deliver(tally('fast', 1, 4), 1)).effects[0]?.total).toBe(4);
    expect(slowDone).toBe(false);
    release();
    expect((await slow).effects[0]?.total).toBe(1);
  });

  it('activates from the stored snapshot and carries on from it', async () => {
    const { system, store } = setup();
    await store.put({ key: 'wl-1', partition: 0, epoch: 1, v: 2, state: { total: 100, seen: ['old'] }, lastSeq: 40 });
    const r = await system.deliver(tally('wl-1', 41, 1), 2);
    expect(r.effects[0]?.total).toBe(101);
    await system.flush();
    expect(await store.inner.load('tally', 'wl-1')).toMatchObject({
      epoch: 2,
      lastSeq: 41,
      state: { total: 101, seen: ['old', 'm41'] },
    });
  });

  it('upcasts a stored v1 snapshot to the current state', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('./fixtures/tally.v1.snapshot.json', import.meta.url), 'utf8')
    ) as {
      key: string;
      snapshot: Snapshot;
    };
    const { system, store } = setup();
    const { v, state, epoch, partition, lastSeq } = fixture.snapshot;
    await store.put({ key: fixture.key, v, state, epoch, partition, lastSeq });
    const r = await system.deliver(tally(fixture.key, 18, 8, 1), 4);
    expect(r.effects[0]?.total).toBe(50);
    await system.flush();
    expect(await store.inner.load('tally', fixture.key)).toMatchObject({ v: 2, state: { total: 50, seen: ['m18'] } });
  });

  it('refuses a snapshot newer than the logic, naming the actor and both versions', async () => {
    const { system, store } = setup();
    await store.put({
      key: 'wl-1',
      partition: 0,
      epoch: 1,
      v: 3,
      state: { total: 1, seen: [], extra: true },
      lastSeq: 1,
    });
    const err = await system.deliver(tally('wl-1', 2), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotVersionError);
    expect((err as Error).message).toBe("snapshot of tally:wl-1 is v3, newer than this code's v2: run a newer host");
    expect(system.stats()).toMatchObject({ active: 0, restarts: 0 });
  });

  it('refuses an older snapshot when the logic has no upcast', async () => {
    const store = new SpyStore();
    const system = new ActorSystem<TallyEffect>({ logics: [tallyLogic(undefined, { upcast: false })], store });
    await store.put({ key: 'wl-1', partition: 0, epoch: 1, v: 1, state: { count: 1 }, lastSeq: 1 });
    await expect(system.deliver(tally('wl-1', 2), 1)).rejects.toThrow(
      'snapshot of tally:wl-1 is v1 and logic v2 has no upcast for it'
    );
  });

  it('skips a redelivered message, in memory and after a restart from the snapshot', async () => {
    const { system, store } = setup();
    await system.deliver(tally('wl-1', 5, 1), 1);
    expect(await system.deliver(tally('wl-1', 5, 1), 1)).toEqual({ effects: [], skipped: true, actor: 'tally:wl-1' });
    expect((await system.deliver(tally('wl-1', 3, 1), 1)).skipped).toBe(true);
    await system.flush();

    // a new host after a crash between save and ack gets the same messages again
    const next = new ActorSystem<TallyEffect>({ logics: [tallyLogic()], store });
    expect((await next.deliver(tally('wl-1', 5, 1), 2)).skipped).toBe(true);
    expect((await next.deliver(tally('wl-1', 6, 1), 2)).effects[0]?.total).toBe(2);
    expect(next.stats()).toMatchObject({ processed: 1, skipped: 1 });
  });

  it('rejects a delivery of an unknown kind or with a malformed sequence, without throwing', async () => {
    const { system } = setup();
    const other = { ...tally('wl-1', 1), kind: 'nope' };
    const err = await system.deliver(other, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownActorKindError);
    expect(err).toMatchObject({ code: 'OI_NOT_FOUND', kind: 'nope' });
    await expect(system.deliver(tally('wl-1', 0), 1)).rejects.toThrow(TypeError);
    await expect(system.deliver({ ...tally('wl-1', 1), seq: Number.NaN }, 1)).rejects.toThrow('seq must be');
  });

  it('refuses a configuration with a kind twice or a bad version', () => {
    const store = new SpyStore();
    expect(() => new ActorSystem({ logics: [tallyLogic(), tallyLogic()], store })).toThrow('registered twice');
    expect(() => new ActorSystem({ logics: [tallyLogic(undefined, { version: 0 })], store })).toThrow('version');
  });
});
