import { setTimeout as sleep } from 'node:timers/promises';

export interface CheckOptions {
  /** Names the condition in the timeout error. */
  name?: string;
  /** Pause between attempts; default 50 ms. */
  intervalMs?: number;
  /** Stops polling early, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/** `T` without its falsy members: what `check` resolves with. */
export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/**
 * Polls `fn` until it returns a truthy value and resolves with it. A throw counts as "not yet";
 * the last one is quoted (and kept as `cause`) when the wait times out.
 */
export async function check<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5000,
  opts: CheckOptions = {}
): Promise<Truthy<T>> {
  const { name = 'condition', intervalMs = 50, signal } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      await sleep(Math.min(intervalMs, left), undefined, { signal });
    } catch {
      signal?.throwIfAborted();
    }
  }
  const detail = lastError === undefined ? 'still false' : describe(lastError);
  throw new Error(`check '${name}' timed out after ${timeoutMs}ms: ${detail}`, { cause: lastError });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A latch: `wait()` resolves after `count` calls to `unlock()`, or rejects after `timeoutMs`. */
export class Lock {
  readonly #done: Promise<void>;
  #left: number;
  #resolve!: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(count = 1, timeoutMs = 5000) {
    this.#left = count;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => {
        reject(new Error(`lock timed out after ${timeoutMs}ms with ${this.#left} of ${count} unlocks missing`));
      }, timeoutMs);
    });
    // A lock nobody waits on must not surface as an unhandled rejection.
    this.#done.catch(() => undefined);
    if (count <= 0) this.#release();
  }

  unlock(): void {
    if (this.#left <= 0) return;
    this.#left -= 1;
    if (this.#left === 0) this.#release();
  }

  wait(): Promise<void> {
    return this.#done;
  }

  #release(): void {
    clearTimeout(this.#timer);
    this.#resolve();
  }
}
