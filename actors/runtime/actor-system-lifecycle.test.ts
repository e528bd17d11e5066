import { describe, expect, it } from 'vitest';
import { ActorSystem } from './actor-system.js';
import { ManualClock } from './clock.js';
import { DeliveryRefusedError, RefusalReason, isDeliveryRefused } from './errors.js';
import { SpyStore, tally, tallyLogic, type TallyEffect } from './fixtures/harness.js';

function setup(idleMs = 60_000): { system: ActorSystem<TallyEffect>; store: SpyStore; clock: ManualClock } {
  const store = new SpyStore();
  const clock = new ManualClock();
  const system = new ActorSystem<TallyEffect>({ logics: [tallyLogic()], store, clock, idleMs });
  return { system, store, clock };
}

const refusal = (err: unknown): string | undefined => (isDeliveryRefused(err) ? err.reason : undefined);

describe('actors ActorSystem lifecycle', () => {
  it('flushes dirty actors in one batch, and only those', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1), 1);
    await system.deliver(tally('b', 2), 1);
    expect(await system.flush()).toEqual({ saved: 2, fenced: [] });
    expect(store.batches).toHaveLength(1);
    expect(await system.flush()).toEqual({ saved: 0, fenced: [] });
    await system.deliver(tally('a', 3), 1);
    expect(await system.flush()).toEqual({ saved: 1, fenced: [] });
    expect(store.batches.map((b) => b.map((w) => `${w.key}@${w.lastSeq}`))).toEqual([['a@1', 'b@2'], ['a@3']]);
  });

  it('keeps an actor dirty when its flush fails, and saves it at the next one', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1), 1);
    store.failSaves = 1;
    await expect(system.flush()).rejects.toThrow('store unavailable');
    expect(await system.flush()).toEqual({ saved: 1, fenced: [] });
  });

  it('passivates actors idle for idleMs after saving them, and reactivates them from the snapshot', async () => {
    const { system, store, clock } = setup(1_000);
    await system.deliver(tally('old', 1, 4), 1);
    clock.advance(600);
    await system.deliver(tally('recent', 2), 1);
    clock.advance(400);
    expect(await system.passivateIdle()).toBe(1);
    expect(system.stats()).toMatchObject({ active: 1, byPartition: { 0: 1 } });
    expect(await store.inner.load('tally', 'old')).toMatchObject({ lastSeq: 1, state: { total: 4 } });

    expect((await system.deliver(tally('old', 3, 1), 1)).effects[0]?.total).toBe(5);
    expect(store.loads.filter((k) => k === 'old')).toHaveLength(2);
  });

  it('does not passivate an actor with a turn under way', async () => {
    const { system, store, clock } = setup(1_000);
    const release = store.hold('busy');
    const turn = system.deliver(tally('busy', 1), 1);
    clock.advance(5_000);
    expect(await system.passivateIdle()).toBe(0);
    release();
    await turn;
    expect(system.stats().active).toBe(1);
  });

  it('releasePartition lets queued turns finish, saves and drops the partition, and refuses it afterwards', async () => {
    const { system, store } = setup();
    const release = store.hold('p1-a');
    const queued = system.deliver(tally('p1-a', 1, 2, 1), 7);
    await system.deliver(tally('p2-a', 2, 1, 2), 7);
    const releasing = system.releasePartition(1);
    expect(refusal(await system.deliver(tally('p1-b', 3, 1, 1), 7).catch((e: unknown) => e))).toBe('released');
    release();
    expect((await queued).effects[0]?.total).toBe(2);
    expect(await releasing).toEqual({ saved: 1, fenced: [] });

    expect(await store.inner.load('tally', 'p1-a')).toMatchObject({ epoch: 7, partition: 1, lastSeq: 1 });
    expect(await store.inner.load('tally', 'p2-a')).toBeUndefined(); // other partitions untouched
    expect(system.stats()).toMatchObject({ active: 1, byPartition: { 2: 1 } });
    expect(refusal(await system.deliver(tally('p1-a', 4, 1, 1), 7).catch((e: unknown) => e))).toBe('released');
    // the partition comes back under a newer lease
    expect((await system.deliver(tally('p1-a', 4, 1, 1), 8)).effects[0]?.total).toBe(3);
  });

  it('abandonPartition drops without saving and rejects what was queued', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1, 5, 3), 2);
    const release = store.hold('b');
    const queued = system.deliver(tally('b', 2, 1, 3), 2).catch((e: unknown) => e);
    system.abandonPartition(3);
    release();
    const err = await queued;
    expect(err).toBeInstanceOf(DeliveryRefusedError);
    expect(err).toMatchObject({ reason: RefusalReason.Abandoned, actor: 'tally:b', retryable: true });
    expect(await system.flush()).toEqual({ saved: 0, fenced: [] });
    expect(store.batches).toEqual([]);
    expect(system.stats().active).toBe(0);
  });

  it('rewindPartition forgets unsaved turns so their redelivery is applied again, and keeps the partition open', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1, 1, 4), 2);
    await system.deliver(tally('other', 2, 1, 5), 2);
    await system.flush();
    expect((await system.deliver(tally('a', 3, 10, 4), 2)).effects[0]?.total).toBe(11);
    system.rewindPartition(4);
    expect(system.stats().byPartition).toEqual({ 5: 1 });
    // the round is redelivered: seq 3 is applied again, from the saved state, with its effects
    const again = await system.deliver(tally('a', 3, 10, 4), 2);
    expect(again).toMatchObject({ skipped: false, effects: [{ total: 11 }] });
    expect(store.loads.filter((k) => k === 'a')).toHaveLength(2);
  });

  it('refuses a delivery under an older epoch, and drops unsaved state when a newer epoch arrives', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1, 5), 4);
    expect(refusal(await system.deliver(tally('a', 2), 3).catch((e: unknown) => e))).toBe('stale-epoch');
    // lease re-acquired: another host may have run in between, so reload instead of trusting memory
    await store.put({ key: 'a', partition: 0, epoch: 5, v: 2, state: { total: 50, seen: [] }, lastSeq: 9 });
    expect((await system.deliver(tally('a', 10, 1), 6)).effects[0]).toMatchObject({ total: 51, epoch: 6 });
  });

  it('reports fenced saves and drops the actor: another host owns it now', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1), 2);
    await system.deliver(tally('b', 2), 2);
    await store.put({ key: 'a', partition: 0, epoch: 3, v: 2, state: { total: 9, seen: [] }, lastSeq: 5 });
    expect(await system.flush()).toEqual({
      saved: 1,
      fenced: [{ kind: 'tally', key: 'a', partition: 0, storedEpoch: 3, epoch: 2 }],
    });
    expect(await store.inner.load('tally', 'a')).toMatchObject({ epoch: 3, lastSeq: 5 });
    expect(system.stats().active).toBe(1);
    // activating it again under the old epoch finds the newer owner's snapshot
    expect(refusal(await system.deliver(tally('a', 6), 2).catch((e: unknown) => e))).toBe('fenced');
  });

  it('refuses an actor delivered on another partition than it lives in', async () => {
    const { system } = setup();
    await system.deliver(tally('a', 1, 1, 0), 1);
    expect(refusal(await system.deliver(tally('a', 2, 1, 1), 1).catch((e: unknown) => e))).toBe('wrong-partition');
  });

  it('stop saves every dirty actor, drops all and refuses further deliveries', async () => {
    const { system, store } = setup();
    await system.deliver(tally('a', 1), 1);
    await system.deliver(tally('b', 2, 1, 5), 9);
    expect(await system.stop()).toEqual({ saved: 2, fenced: [] });
    expect(system.stats().active).toBe(0);
    expect(await store.inner.load('tally', 'b')).toMatchObject({ epoch: 9, partition: 5 });
    expect(refusal(await system.deliver(tally('a', 3), 1).catch((e: unknown) => e))).toBe('stopping');
  });
});
