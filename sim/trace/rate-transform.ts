import { createRng } from '../random.js';
import type { RequestSource, SimRequest } from './sim-request.js';

function requirePositive(field: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${field} must be a finite number > 0, got ${v}`);
}

/** Replays `speedUp` times faster: every arrival time is divided by `speedUp` (token lengths unchanged). */
export async function* compressTime(source: RequestSource, speedUp: number): AsyncGenerator<SimRequest> {
  requirePositive('speedUp', speedUp);
  for await (const r of source) yield { ...r, arrivalSec: r.arrivalSec / speedUp };
}

/**
 * Scales the arrival rate by `factor` over the same span, deterministically for `seed`.
 * Request i is emitted floor((i+1)·f + u) − floor(i·f + u) times (u drawn from the seed): the count
 * is within one of n·f, thinning keeps an evenly spread subset, and replication adds copies (`<id>#k`)
 * at seeded times between the original's arrival and the next one, so the output stays in order.
 */
export async function* scaleRate(source: RequestSource, factor: number, seed: number): AsyncGenerator<SimRequest> {
  requirePositive('factor', factor);
  const rng = createRng(seed).fork('scale-rate');
  const offset = rng.next();
  let i = 0;
  let held: SimRequest | undefined;
  const copiesOf = (k: number): number => Math.floor((k + 1) * factor + offset) - Math.floor(k * factor + offset);
  function* release(r: SimRequest, copies: number, nextArrivalSec: number): Generator<SimRequest> {
    if (copies === 0) return;
    yield r;
    const gap = nextArrivalSec - r.arrivalSec;
    const offsets = Array.from({ length: copies - 1 }, () => rng.next() * gap).sort((a, b) => a - b);
    for (let k = 0; k < offsets.length; k++)
      yield { ...r, id: `${r.id}#${k + 1}`, arrivalSec: r.arrivalSec + offsets[k]! };
  }
  for await (const r of source) {
    if (held) yield* release(held, copiesOf(i++), r.arrivalSec);
    held = r;
  }
  if (held) yield* release(held, copiesOf(i), held.arrivalSec);
}
