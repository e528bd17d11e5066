/**
 * Token buckets keyed by caller: `ratePerSec` sustained, `burst` at once. The key map is
 * bounded (least recently seen evicted first), so a flood of distinct sources cannot grow
 * memory without limit.
 */
export interface RateLimitOptions {
  ratePerSec: number;
  burst: number;
  /** Most callers tracked at once. */
  maxKeys?: number;
}

export type RateVerdict = { ok: true } | { ok: false; retryAfterMs: number };

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #maxKeys: number;

  constructor(
    readonly opts: RateLimitOptions,
    private readonly now: () => number = () => performance.now()
  ) {
    if (!(opts.ratePerSec > 0) || !(opts.burst >= 1)) {
      throw new Error(`rate limit needs ratePerSec > 0 and burst >= 1, got ${opts.ratePerSec}/${opts.burst}`);
    }
    this.#maxKeys = opts.maxKeys ?? 10_000;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string): RateVerdict {
    const t = this.now();
    const b = this.#buckets.get(key) ?? { tokens: this.opts.burst, at: t };
    b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.ratePerSec);
    b.at = t;
    // re-insert: Map order is then least recently seen first
    this.#buckets.delete(key);
    this.#buckets.set(key, b);
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / this.opts.ratePerSec) * 1000) };
  }
}
