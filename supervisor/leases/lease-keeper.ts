import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../config/index.js';
import type { LeaseStore } from './lease-store.js';
import type { Lease } from './lease-value.js';

/** Why a kept lease was lost: someone else's write won, or the deadline passed unrenewed. */
export const LostReason = { taken: 'taken', expired: 'expired' } as const;
export type LostReason = (typeof LostReason)[keyof typeof LostReason];

export interface LeaseKeeperEvents {
  lost: [key: string, reason: LostReason];
}

export interface LeaseKeeperOptions {
  store: LeaseStore;
  ttlMs: number;
  /** Default ttlMs / 3: two renewals may fail before the deadline. */
  renewEveryMs?: number;
  /** Wall clock; injectable for tests. */
  now?: () => number;
  logger?: Logger;
}

interface Kept {
  lease: Lease;
  /** Fires `lost` at the deadline even while a renewal hangs. */
  timer: NodeJS.Timeout;
}

/**
 * Keeps a set of leases alive, renewing each every `renewEveryMs`, and emits `lost(key)` the
 * moment a renewal is refused or the deadline passes unrenewed. Timers fire late after a
 * stall (SIGSTOP), so callers check `isValid(key)` before every effect.
 */
export class LeaseKeeper extends EventEmitter<LeaseKeeperEvents> {
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly #store: LeaseStore;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #kept = new Map<string, Kept>();
  #interval: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(opts: LeaseKeeperOptions) {
    super();
    this.#store = opts.store;
    this.ttlMs = opts.ttlMs;
    this.renewEveryMs = opts.renewEveryMs ?? Math.max(1, Math.floor(opts.ttlMs / 3));
    if (this.renewEveryMs >= this.ttlMs) {
      throw new Error(`renewEveryMs (${this.renewEveryMs}) must be below ttlMs (${this.ttlMs})`);
    }
    this.#now = opts.now ?? Date.now;
    this.#logger = opts.logger ?? silentLogger;
  }

  /** Acquires `key` for `holder` and keeps it; undefined when someone else holds it. */
  async acquire(key: string, holder: string): Promise<Lease | undefined> {
    const lease = await this.#store.acquire(key, holder, this.ttlMs, this.#now());
    if (lease) this.keep(lease);
    return lease;
  }

  /** Starts keeping a lease acquired elsewhere (replaces any lease kept under its key). */
  keep(lease: Lease): void {
    const old = this.#kept.get(lease.key);
    if (old) clearTimeout(old.timer);
    this.#kept.set(lease.key, { lease, timer: this.#deadlineTimer(lease) });
    this.#interval ??= setInterval(() => void this.renewNow(), this.renewEveryMs);
  }

  /**
   * True while `key` is kept and its deadline is in the future by the local clock. Needs no
   * NATS round trip; a passed deadline emits `lost` here, before any effect can run.
   */
  isValid(key: string, now: number = this.#now()): boolean {
    const kept = this.#kept.get(key);
    if (!kept) return false;
    if (now < kept.lease.deadline) return true;
    this.#lose(key, kept, LostReason.expired);
    return false;
  }

  /** The kept lease while valid: its epoch fences every effect. */
  lease(key: string, now: number = this.#now()): Lease | undefined {
    return this.isValid(key, now) ? this.#kept.get(key)?.lease : undefined;
  }

  keys(): string[] {
    return [...this.#kept.keys()].sort();
  }

  /** Stops keeping `key` and hands it back in KV at once; false if it was no longer ours. */
  async release(key: string): Promise<boolean> {
    const kept = this.#kept.get(key);
    if (!kept) return false;
    this.#forget(key, kept);
    return this.#store.release(kept.lease, this.#now());
  }

  /** Stops keeping `key` without touching KV: it expires at its deadline. */
  forget(key: string): void {
    const kept = this.#kept.get(key);
    if (kept) this.#forget(key, kept);
  }

  /** One renewal round over every kept lease; concurrent calls share the round. */
  renewNow(): Promise<void> {
    this.#renewing ??= this.#renewAll().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  /** Stops renewing; with `release` (default true) hands every kept lease back. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    clearInterval(this.#interval);
    this.#interval = undefined;
    const release = opts.release ?? true;
    // a release must CAS on the newest revision, so it waits for an in-flight renewal
    if (release) await this.#renewing;
    const keys = this.keys();
    if (release) {
      await Promise.all(keys.map((k) => this.release(k).catch((err: unknown) => this.#logReleaseError(k, err))));
    }
    for (const k of keys) this.forget(k);
  }

  async #renewAll(): Promise<void> {
    await Promise.all([...this.#kept.entries()].map(([key, kept]) => this.#renewOne(key, kept)));
  }

  async #renewOne(key: string, kept: Kept): Promise<void> {
    const now = this.#now();
    // a stalled process resumes here: past the deadline the lease may already be someone else's
    if (now >= kept.lease.deadline) return this.#lose(key, kept, LostReason.expired);
    let renewed: Lease | undefined;
    try {
      renewed = await this.#store.renew(kept.lease, this.ttlMs, now);
    } catch (err) {
      // transient (timeout, leader election): retry next round; the deadline timer bounds it
      this.#logger.warn({ err, key }, 'lease renewal failed; retrying');
      return;
    }
    if (this.#kept.get(key) !== kept) {
      // released or lost meanwhile: our late write must not block others for a whole ttl
      if (renewed && !this.#kept.has(key))
        await this.#store.release(renewed).catch((e: unknown) => this.#logReleaseError(key, e));
      return;
    }
    if (!renewed) return this.#lose(key, kept, LostReason.taken);
    clearTimeout(kept.timer);
    this.#kept.set(key, { lease: renewed, timer: this.#deadlineTimer(renewed) });
  }

  #deadlineTimer(lease: Lease): NodeJS.Timeout {
    const t = setTimeout(() => this.#onDeadline(lease), Math.max(0, lease.deadline - this.#now()) + 1);
    t.unref();
    return t;
  }

  #onDeadline(lease: Lease): void {
    const kept = this.#kept.get(lease.key);
    if (kept?.lease !== lease) return;
    // timers run on the monotonic clock and may fire a hair before the wall-clock deadline
    if (this.isValid(lease.key)) kept.timer = this.#deadlineTimer(lease);
  }

  #forget(key: string, kept: Kept): void {
    clearTimeout(kept.timer);
    this.#kept.delete(key);
    if (this.#kept.size === 0) {
      clearInterval(this.#interval);
      this.#interval = undefined;
    }
  }

  #lose(key: string, kept: Kept, reason: LostReason): void {
    if (this.#kept.get(key) !== kept) return;
    this.#forget(key, kept);
    this.#logger.warn({ key, epoch: kept.lease.epoch, reason }, 'lease lost');
    try {
      this.emit('lost', key, reason);
    } catch (err) {
      this.#logger.error({ err, key }, 'lost listener threw');
    }
  }

  #logReleaseError(key: string, err: unknown): boolean {
    this.#logger.warn({ err, key }, 'lease release failed; it expires at its deadline');
    return false;
  }
}
