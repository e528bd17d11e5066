/** An opaque timer handle. */
export type TimerHandle = unknown;

/**
 * Processing time for the runtime's own bookkeeping (idle sweep, restart backoff and
 * intensity). Actors never see it: they reason on event time (`ActorContext.now`).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on `clock`; at once when `ms` ≤ 0. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

interface ManualTimer {
  at: number;
  order: number;
  fn: () => void;
}

/** A clock that moves only when told to, so tests of backoff and idleness never sleep. */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<ManualTimer>();
  #waiters: Array<() => void> = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + Math.max(0, ms), order: this.#order++, fn };
    this.#timers.add(timer);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as ManualTimer);
  }

  /** Moves time forward, firing each timer that falls due in time order; returns how many fired. */
  advance(ms: number): number {
    const until = this.#now + ms;
    let fired = 0;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.#timers) {
        if (t.at <= until && (!next || t.at < next.at || (t.at === next.at && t.order < next.order))) next = t;
      }
      if (!next) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      fired++;
    }
    this.#now = until;
    return fired;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Resolves once at least one timer is pending: code under test reaches its sleep asynchronously. */
  untilPending(): Promise<void> {
    if (this.#timers.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
