import { describe, expect, it } from 'vitest';
import { lockstep, type LockstepBatch } from './lockstep.js';

interface Ev {
  t: number;
}
const evs = (...ts: number[]): Ev[] => ts.map((t) => ({ t }));

async function batches(source: Iterable<Ev>, opts: { tickSec: number; startSec?: number; endSec?: number }) {
  const out: LockstepBatch<Ev>[] = [];
  for await (const b of lockstep(source, { ...opts, timeOf: (e) => e.t })) out.push(b);
  return out.map((b) => ({ tick: b.tickSec, ts: b.events.map((e) => e.t) }));
}

describe('sim/trace lockstep', () => {
  it('yields the events stamped before each tick, then the tick, with empty ticks in between', async () => {
    expect(await batches(evs(0, 0.5, 1, 3.2), { tickSec: 1 })).toEqual([
      { tick: 1, ts: [0, 0.5] },
      { tick: 2, ts: [1] },
      { tick: 3, ts: [] },
      { tick: 4, ts: [3.2] },
    ]);
  });

  it('runs to endSec, dropping events at or after it', async () => {
    expect(await batches(evs(0.2, 2.4, 7), { tickSec: 1, endSec: 2.5 })).toEqual([
      { tick: 1, ts: [0.2] },
      { tick: 2, ts: [] },
      { tick: 2.5, ts: [2.4] },
    ]);
  });

  it('computes ticks from the start without drift', async () => {
    // summing 0.1 ten thousand times drifts (≈ 1000.0999999998); start + k·tick does not
    const out = await batches(evs(1000.05), { tickSec: 0.1 });
    expect(out.length).toBe(10_001);
    expect(out[out.length - 1]!.tick).toBe(10_001 * 0.1);
    expect(out[out.length - 1]!.ts).toEqual([1000.05]);
  });

  it('refuses an unsorted source and a bad tick', async () => {
    await expect(batches(evs(2, 1), { tickSec: 1 })).rejects.toThrow(/out of order/);
    await expect(batches(evs(1), { tickSec: 0 })).rejects.toThrow(/tickSec must be/);
    await expect(batches(evs(1), { tickSec: 1, startSec: 5 })).rejects.toThrow(/precedes startSec/);
  });
});
