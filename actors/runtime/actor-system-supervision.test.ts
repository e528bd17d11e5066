import { describe, expect, it } from 'vitest';
import { ActorSystem } from './actor-system.js';
import { ManualClock } from './clock.js';
import { ActorStoppedError } from './errors.js';
import {
  SpyStore,
  logSink,
  tally,
  tallyLogic,
  type TallyEffect,
  type TallyMsg,
  type TallyState,
} from './fixtures/harness.js';
import type { SupervisionReport } from './supervision.js';

/** A system whose tally actor throws while `failing(msg)` says so; backoff 10 · 2^n ms, no jitter. */
function setup(failing: (state: TallyState, msg: TallyMsg) => boolean) {
  const clock = new ManualClock(1_000);
  const store = new SpyStore();
  const reports: SupervisionReport[] = [];
  const system = new ActorSystem<TallyEffect>({
    logics: [
      tallyLogic((state, msg) => {
        if (failing(state, msg)) throw new Error(`poison ${msg.id}`);
      }),
    ],
    store,
    clock,
    supervision: { maxRestarts: 3, periodMs: 60_000, backoffInitialMs: 10, backoffMaxMs: 1_000, jitter: 0 },
    onReport: (r) => reports.push(r),
  });
  return { clock, store, reports, system };
}

/** Fires the next backoff timer once the system has set it; returns the pause it asked for. */
async function nextBackoff(clock: ManualClock, reports: SupervisionReport[]): Promise<number> {
  await clock.untilPending();
  const delay = reports.at(-1)!.delayMs;
  expect(clock.advance(delay)).toBe(1);
  return delay;
}

describe('actors ActorSystem supervision', () => {
  it('restarts a throwing actor from its snapshot with growing backoff, then retries the message', async () => {
    let throwsLeft = 2;
    const { clock, store, reports, system } = setup((_s, msg) => msg.id === 'm2' && throwsLeft-- > 0);
    await system.deliver(tally('wl-1', 1, 5), 1);
    const turn = system.deliver(tally('wl-1', 2, 1), 1);
    expect(await nextBackoff(clock, reports)).toBe(10);
    expect(await nextBackoff(clock, reports)).toBe(20);
    expect((await turn).effects[0]?.total).toBe(6);

    expect(reports.map((r) => [r.actor, r.kind, r.restarts, (r.error as Error).message])).toEqual([
      ['tally:wl-1', 'restart', 1, 'poison m2'],
      ['tally:wl-1', 'restart', 2, 'poison m2'],
    ]);
    expect(store.loads).toEqual(['wl-1', 'wl-1', 'wl-1']); // activation + one reload per restart
    // the turn applied before the failure was saved before reloading, so it survived
    expect(store.batches[0]).toEqual([
      expect.objectContaining({ key: 'wl-1', lastSeq: 1, state: { total: 5, seen: ['m1'] } }),
    ]);
    expect(system.stats()).toMatchObject({ restarts: 2, processed: 2, stopped: 0 });
  });

  it('stops an actor after too many restarts, rejects what waits for it, and takes it back after the period', async () => {
    let poisoned = true;
    const { clock, reports, system } = setup((_s, msg) => poisoned && msg.id === 'm1');
    const first = system.deliver(tally('wl-1', 1), 1).catch((e: unknown) => e);
    const queued = system.deliver(tally('wl-1', 2), 1).catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) await nextBackoff(clock, reports);

    const err = await first;
    expect(err).toBeInstanceOf(ActorStoppedError);
    expect(err).toMatchObject({ actor: 'tally:wl-1', until: clock.now() + 60_000, cause: new Error('poison m1') });
    expect(await queued).toBeInstanceOf(ActorStoppedError);
    expect(reports.map((r) => [r.kind, r.restarts])).toEqual([
      ['restart', 1],
      ['restart', 2],
      ['restart', 3],
      ['stop', 3],
    ]);
    expect(system.stats()).toMatchObject({ stopped: 1, restarts: 3 });

    // refused at once while stopped; other actors carry on
    await expect(system.deliver(tally('wl-1', 3), 1)).rejects.toBeInstanceOf(ActorStoppedError);
    expect((await system.deliver(tally('wl-2', 2), 1)).skipped).toBe(false);

    poisoned = false;
    clock.advance(59_999);
    await expect(system.deliver(tally('wl-1', 3), 1)).rejects.toBeInstanceOf(ActorStoppedError);
    clock.advance(1);
    expect((await system.deliver(tally('wl-1', 4, 7), 1)).effects[0]?.total).toBe(7);
    expect(system.stats().stopped).toBe(0);
  });

  it('keeps other actors running while one sits in its restart backoff', async () => {
    const { clock, reports, system } = setup((_s, msg) => msg.id === 'm1' && reports.length === 0);
    const failing = system.deliver(tally('bad', 1), 1);
    await clock.untilPending();
    expect((await system.deliver(tally('good', 5, 2), 1)).effects[0]?.total).toBe(2);
    clock.advance(10);
    expect((await failing).effects[0]?.total).toBe(1);
  });

  it('counts only restarts within the period towards stopping', async () => {
    let fail = false;
    const { clock, reports, system } = setup(() => fail);
    for (let seq = 1; seq <= 4; seq++) {
      fail = true;
      const turn = system.deliver(tally('wl-1', seq), 1);
      await clock.untilPending();
      fail = false;
      clock.advance(reports.at(-1)!.delayMs);
      await turn;
      clock.advance(61_000); // the earlier restart leaves the window
    }
    expect(reports.map((r) => [r.kind, r.restarts, r.delayMs])).toEqual(Array(4).fill(['restart', 1, 10]));
  });

  it('hands a failing store back to the host, with what was queued behind it, instead of restarting', async () => {
    const clock = new ManualClock();
    const store = new SpyStore();
    const { logger, lines } = logSink();
    let throwsLeft = 1;
    const system = new ActorSystem<TallyEffect>({
      logics: [
        tallyLogic((_s, msg) => {
          if (msg.id === 'm2' && throwsLeft-- > 0) throw new Error('poison m2');
        }),
      ],
      store,
      clock,
      logger,
      supervision: { backoffInitialMs: 0 },
      onReport: () => {
        throw new Error('reporter broke');
      },
    });
    await system.deliver(tally('wl-1', 1, 3), 1);
    store.failSaves = 1; // m2 throws, and saving m1's turn before the reload fails
    const m2 = system.deliver(tally('wl-1', 2, 4), 1);
    const m3 = system.deliver(tally('wl-1', 3, 5), 1);
    await expect(m2).rejects.toThrow('store unavailable');
    await expect(m3).rejects.toThrow('store unavailable');
    expect(system.stats()).toMatchObject({ restarts: 1, stopped: 0 });

    // redelivered once the store is back: m1's turn is saved, the actor reloaded, m2 applied
    expect((await system.deliver(tally('wl-1', 2, 4), 1)).effects[0]?.total).toBe(7);
    expect(store.batches).toEqual([[expect.objectContaining({ lastSeq: 1 })]]);
    expect(lines.map((l) => [l.msg, (l.err as { message?: string } | undefined)?.message])).toEqual([
      ['actor failed; restarting', 'poison m2'],
      ['onReport threw; ignored', 'reporter broke'],
      ['snapshot store failed; delivery handed back', 'store unavailable'],
    ]);
  });

  it('does not count a failing load against the actor', async () => {
    const store = new SpyStore();
    const system = new ActorSystem<TallyEffect>({ logics: [tallyLogic()], store, supervision: { maxRestarts: 0 } });
    store.load = () => Promise.reject(new Error('connection refused'));
    for (let i = 0; i < 3; i++) await expect(system.deliver(tally('wl-1', 1), 1)).rejects.toThrow('connection refused');
    expect(system.stats()).toMatchObject({ restarts: 0, stopped: 0 });
  });
});
