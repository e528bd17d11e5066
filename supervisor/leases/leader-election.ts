import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../config/index.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { LeaseStore } from './lease-store.js';
import { singletonKey } from './lease-value.js';

export interface LeaderElectionEvents {
  elected: [epoch: number];
  deposed: [];
}

export interface LeaderElectionOptions {
  store: LeaseStore;
  /** The singleton, e.g. `supervisor`: the lease key is `singleton.<name>`. */
  name: string;
  /** This candidate's host id. */
  candidate: string;
  ttlMs: number;
  /** How often a follower tries and the leader renews; default ttlMs / 3. */
  retryEveryMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * Elects one leader of a singleton through its lease: followers retry every `retryEveryMs`,
 * the leader renews. A killed leader is replaced within ttl + retryEveryMs of its last
 * renewal; `stop()` releases the lease so a follower takes over on its next try.
 */
export class LeaderElection extends EventEmitter<LeaderElectionEvents> {
  readonly key: string;
  readonly #opts: LeaderElectionOptions;
  readonly #keeper: LeaseKeeper;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #retryEveryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #trying: Promise<void> | undefined;
  #leader = false;

  constructor(opts: LeaderElectionOptions) {
    super();
    this.key = singletonKey(opts.name);
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#logger = opts.logger ?? silentLogger;
    this.#retryEveryMs = opts.retryEveryMs ?? Math.max(1, Math.floor(opts.ttlMs / 3));
    this.#keeper = new LeaseKeeper({
      store: opts.store,
      ttlMs: opts.ttlMs,
      renewEveryMs: this.#retryEveryMs,
      now: this.#now,
      logger: this.#logger,
    });
    this.#keeper.on('lost', () => this.#depose());
  }

  /** Begins campaigning; the first attempt runs before this resolves. */
  async start(): Promise<void> {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#tryOnce(), this.#retryEveryMs);
    await this.#tryOnce();
  }

  /** Leader right now by the local clock (false once the lease deadline passed unrenewed). */
  isLeader(now: number = this.#now()): boolean {
    return this.#leader && this.#keeper.isValid(this.key, now);
  }

  /** The fencing epoch of the current term, while leader. */
  epoch(now: number = this.#now()): number | undefined {
    return this.#leader ? this.#keeper.lease(this.key, now)?.epoch : undefined;
  }

  /** Stops campaigning and, if leader, releases the lease (graceful handover) and emits `deposed`. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#trying;
    const wasLeader = this.#leader;
    this.#leader = false;
    await this.#keeper.stop({ release: true });
    if (wasLeader) this.#emitSafely('deposed');
  }

  #tryOnce(): Promise<void> {
    this.#trying ??= this.#campaign().finally(() => {
      this.#trying = undefined;
    });
    return this.#trying;
  }

  async #campaign(): Promise<void> {
    if (this.#leader || !this.#timer) return;
    try {
      const lease = await this.#keeper.acquire(this.key, this.#opts.candidate);
      if (!lease || !this.#timer) return;
      this.#leader = true;
      this.#logger.info({ key: this.key, epoch: lease.epoch }, 'elected leader');
      this.#emitSafely('elected', lease.epoch);
    } catch (err) {
      this.#logger.warn({ err, key: this.key }, 'leader election attempt failed; retrying');
    }
  }

  #depose(): void {
    if (!this.#leader) return;
    this.#leader = false;
    this.#logger.warn({ key: this.key }, 'deposed: leader lease lost');
    this.#emitSafely('deposed');
  }

  #emitSafely(...args: ['elected', number] | ['deposed']): void {
    try {
      if (args[0] === 'elected') this.emit('elected', args[1]);
      else this.emit('deposed');
    } catch (err) {
      this.#logger.error({ err, key: this.key }, 'election listener threw');
    }
  }
}
