/**
 * The simulator side of the lockstep clock (DESIGN.md "Time"): cut a time-ordered event source into
 * ticks. For each tick t the driver yields the events stamped in [t − tick, t); the transport publishes
 * them, waits until every actor host acknowledged them, and only then publishes tick t. Pure: no I/O,
 * no wall clock.
 */

export interface LockstepOptions<T> {
  tickSec: number;
  /** Event time in simulated seconds. */
  timeOf: (event: T) => number;
  /** Time of tick 0; the first tick published is startSec + tickSec. */
  startSec?: number;
  /** Last tick to publish; events stamped at or after it are not delivered. Default: the tick after the last event. */
  endSec?: number;
}

export interface LockstepBatch<T> {
  /** The tick to publish once `events` have been processed everywhere. */
  tickSec: number;
  /** Events stamped before `tickSec` and not in an earlier batch, in source order. */
  events: T[];
}

export async function* lockstep<T>(
  source: AsyncIterable<T> | Iterable<T>,
  options: LockstepOptions<T>
): AsyncGenerator<LockstepBatch<T>> {
  const { tickSec, timeOf } = options;
  const startSec = options.startSec ?? 0;
  const endSec = options.endSec ?? Infinity;
  if (!Number.isFinite(tickSec) || tickSec <= 0)
    throw new Error(`lockstep: tickSec must be a finite number > 0, got ${tickSec}`);
  if (!Number.isFinite(startSec)) throw new Error(`lockstep: startSec must be finite, got ${startSec}`);
  if (endSec < startSec) throw new Error(`lockstep: endSec (${endSec}) must be >= startSec (${startSec})`);
  // ticks computed as start + k·tick, never summed, so long runs do not drift
  let k = 1;
  const tickAt = (i: number): number => startSec + i * tickSec;
  let batch: T[] = [];
  let previous = -Infinity;
  for await (const event of source) {
    const t = timeOf(event);
    if (!Number.isFinite(t)) throw new Error(`lockstep: event time must be finite, got ${t}`);
    if (t < previous) throw new Error(`lockstep: events out of order (${t} after ${previous})`);
    if (t < startSec) throw new Error(`lockstep: event at ${t} precedes startSec ${startSec}`);
    previous = t;
    if (t >= endSec) break;
    while (t >= tickAt(k)) {
      yield { tickSec: tickAt(k), events: batch };
      batch = [];
      k++;
    }
    batch.push(event);
  }
  if (Number.isFinite(endSec)) {
    while (tickAt(k - 1) < endSec) {
      yield { tickSec: Math.min(tickAt(k), endSec), events: batch };
      batch = [];
      k++;
    }
  } else if (batch.length > 0) {
    yield { tickSec: tickAt(k), events: batch };
  }
}
