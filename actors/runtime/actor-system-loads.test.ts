import { describe, expect, it } from 'vitest';
import { ActorSystem } from './actor-system.js';
import { ManualClock } from './clock.js';
import { SpyStore, tally, tallyLogic, type TallyEffect } from './fixtures/harness.js';
import type { Snapshot } from './snapshot-store.js';

/** Counts loads in flight; each load waits until released, so the peak is observable. */
class GatedStore extends SpyStore {
  inFlight = 0;
  peak = 0;
  readonly #waiting: Array<() => void> = [];

  override async load(kind: string, key: string): Promise<Snapshot | undefined> {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    await new Promise<void>((r) => this.#waiting.push(r));
    this.inFlight--;
    return super.load(kind, key);
  }

  releaseAll(): number {
    const n = this.#waiting.length;
    this.#waiting.splice(0).forEach((r) => r());
    return n;
  }
}

describe('actors ActorSystem activation', () => {
  it('loads at most maxConcurrentLoads snapshots at once, and activates every actor in the end', async () => {
    const store = new GatedStore();
    const system = new ActorSystem<TallyEffect>({
      logics: [tallyLogic()],
      store,
      clock: new ManualClock(),
      maxConcurrentLoads: 4,
    });
    const turns = Array.from({ length: 40 }, (_, i) => system.deliver(tally(`wl-${i}`, 1, 1), 1));
    let released = 0;
    while (released < 40) {
      await new Promise((r) => setTimeout(r, 0));
      expect(store.inFlight).toBeLessThanOrEqual(4);
      released += store.releaseAll();
    }
    const results = await Promise.all(turns);
    expect(results.every((r) => r.effects.length === 1)).toBe(true);
    expect(store.peak).toBe(4);
    expect(system.stats().active).toBe(40);
  });
});
