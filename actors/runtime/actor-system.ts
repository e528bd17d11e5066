import { silentLogger, type Logger } from '../../config/index.js';
import { createCell, isDirty, toWrite, type Cell, type Job } from './actor-cell.js';
import { actorId, type AnyActorLogic, type Delivery, type DeliveryResult } from './actor-logic.js';
import { sleepOn, systemClock, type Clock } from './clock.js';
import {
  ActorStoppedError,
  DeliveryRefusedError,
  RefusalReason,
  SnapshotVersionError,
  UnknownActorKindError,
} from './errors.js';
import { Mailbox } from './mailbox.js';
import { restoreState } from './restore-state.js';
import type { SaveResult, Snapshot, SnapshotStore } from './snapshot-store.js';
import {
  onFailure,
  supervisionPolicy,
  type Directive,
  type SupervisionOptions,
  type SupervisionPolicy,
  type SupervisionReport,
} from './supervision.js';

export interface ActorSystemOptions<E> {
  logics: AnyActorLogic<E>[];
  store: SnapshotStore;
  clock?: Clock;
  /** Passivate actors idle this long at the next `passivateIdle()`; default 60_000. */
  idleMs?: number;
  supervision?: SupervisionOptions;
  logger?: Logger;
  /** Called on every restart and stop; a throw here is logged and ignored. */
  onReport?: (report: SupervisionReport) => void;
  /**
   * Snapshot loads in flight at once; default 16. A host taking many partitions activates
   * thousands of actors at once, and an unbounded burst would queue on the store's pool
   * past the lease TTL.
   */
  maxConcurrentLoads?: number;
}

export interface ActorSystemStats {
  active: number;
  byPartition: Record<number, number>;
  /** Turns applied since start (redeliveries skipped are not counted). */
  processed: number;
  /** Redeliveries skipped since start. */
  skipped: number;
  /** Restarts since start. */
  restarts: number;
  /** Actors stopped by supervision right now. */
  stopped: number;
}

interface PartitionState {
  epoch: number;
  /** Released or abandoned at `epoch`: only a newer epoch opens it again. */
  closed: RefusalReason | undefined;
  releasing: boolean;
}

const nothingSaved = (): SaveResult => ({ saved: 0, fenced: [] });

/**
 * Runs actors in-process: one turn at a time per actor, actors concurrently, state in
 * snapshots, OTP-style supervision. Transport-free: the host feeds it deliveries and acks
 * what it was told is safe (README.md "Host contract").
 */
export class ActorSystem<E> {
  readonly #logics = new Map<string, AnyActorLogic<E>>();
  readonly #store: SnapshotStore;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #policy: SupervisionPolicy;
  readonly #logger: Logger;
  readonly #onReport: ((report: SupervisionReport) => void) | undefined;
  readonly #cells = new Map<string, Cell<E>>();
  readonly #dirty = new Set<Cell<E>>();
  readonly #maxLoads: number;
  #loadsInFlight = 0;
  readonly #loadWaiters: Array<() => void> = [];
  readonly #partitions = new Map<number, PartitionState>();
  /** Saves run one after another, so an older state can never land after a newer one. */
  #saveChain: Promise<unknown> = Promise.resolve();
  #stopping = false;
  #processed = 0;
  #skipped = 0;
  #restarts = 0;

  constructor(opts: ActorSystemOptions<E>) {
    for (const logic of opts.logics) {
      if (this.#logics.has(logic.kind)) throw new Error(`actor kind '${logic.kind}' is registered twice`);
      if (logic.kind.includes(':')) throw new Error(`actor kind '${logic.kind}' must not contain ':'`);
      if (!Number.isInteger(logic.version) || logic.version < 1) {
        throw new Error(`actor kind '${logic.kind}' needs an integer version ≥ 1`);
      }
      this.#logics.set(logic.kind, logic);
    }
    this.#store = opts.store;
    this.#clock = opts.clock ?? systemClock;
    this.#idleMs = opts.idleMs ?? 60_000;
    this.#policy = supervisionPolicy(opts.supervision);
    this.#logger = opts.logger ?? silentLogger;
    this.#onReport = opts.onReport;
    this.#maxLoads = opts.maxConcurrentLoads ?? 16;
  }

  /**
   * Queues a delivery; resolves when processed with the effects it produced (none when
   * skipped as already applied: seq ≤ the actor's lastSeq). Never throws synchronously.
   */
  deliver(d: Delivery<unknown>, epoch: number): Promise<DeliveryResult<E>> {
    const id = actorId(d.kind, d.key);
    if (!Number.isSafeInteger(d.seq) || d.seq < 1 || !Number.isSafeInteger(epoch) || epoch < 0) {
      return Promise.reject(new TypeError(`delivery to ${id}: seq must be an integer ≥ 1 and epoch ≥ 0`));
    }
    if (this.#stopping) return Promise.reject(new DeliveryRefusedError(id, RefusalReason.Stopping));
    const logic = this.#logics.get(d.kind);
    if (!logic) return Promise.reject(new UnknownActorKindError(d.kind));
    const refusal = this.#admit(d.partition, epoch);
    if (refusal) return Promise.reject(new DeliveryRefusedError(id, refusal));

    const now = this.#clock.now();
    let cell = this.#cells.get(id);
    if (!cell) {
      cell = createCell(id, d.key, d.partition, epoch, logic, now);
      this.#cells.set(id, cell);
    } else if (cell.partition !== d.partition) {
      return Promise.reject(new DeliveryRefusedError(id, RefusalReason.WrongPartition));
    }
    cell.lastActiveMs = now;
    if (cell.stoppedUntil !== undefined) {
      if (now < cell.stoppedUntil) return Promise.reject(new ActorStoppedError(id, cell.stoppedUntil));
      cell.stoppedUntil = undefined; // the period is over: start afresh from the snapshot
    }
    const target = cell;
    return new Promise((resolve, reject) => {
      (target.mailbox ??= new Mailbox()).push({ d, resolve, reject });
      target.turn ??= this.#drain(target);
    });
  }

  /**
   * Writes dirty actors' snapshots in one `saveMany`, only those of `partition` when given (a
   * host flushes per partition: another partition's turns may have effects not yet published).
   * Ack a batch only after this resolved with nothing fenced.
   */
  flush(partition?: number): Promise<SaveResult> {
    return this.#save(() => [...this.#dirty].filter((c) => partition === undefined || c.partition === partition));
  }

  /**
   * Lets the partition's queued turns finish, saves its actors and drops them (the partition
   * moves away). Deliveries to it are refused from the call on.
   */
  async releasePartition(partition: number): Promise<SaveResult> {
    const p = this.#partitions.get(partition);
    if (!p || p.closed) return nothingSaved();
    const epoch = p.epoch;
    const mine = (): Cell<E>[] => this.#cellsOf(partition).filter((c) => c.epoch === epoch);
    p.releasing = true;
    try {
      await this.#settle(mine);
      const result = await this.#save(mine);
      for (const cell of mine()) this.#drop(cell, new DeliveryRefusedError(cell.id, RefusalReason.Released));
      if (p.epoch === epoch) p.closed = RefusalReason.Released;
      return result;
    } finally {
      if (p.epoch === epoch) p.releasing = false;
    }
  }

  /**
   * Whether the partition still takes deliveries under `epoch`. A host checks it after a flush:
   * an abandon in between dropped actors unsaved, so the round must not be acked.
   */
  isOpen(partition: number, epoch: number): boolean {
    const p = this.#partitions.get(partition);
    return p !== undefined && p.epoch === epoch && !p.closed;
  }

  /** Drops a partition's actors without saving (the lease was lost: their state may be stale). */
  abandonPartition(partition: number): void {
    const p = this.#partitions.get(partition);
    if (!p) return;
    this.#dropPartition(partition, RefusalReason.Abandoned);
    p.closed = RefusalReason.Abandoned;
    p.releasing = false;
  }

  /**
   * Drops the partition's actors without saving, yet keeps taking its deliveries under the
   * current epoch. For a round the host could not finish (effects unpublished) and naks:
   * the redelivered messages are then applied again from the snapshots, where they would
   * otherwise be skipped as already applied in memory.
   */
  rewindPartition(partition: number): void {
    this.#dropPartition(partition, RefusalReason.Rewound);
  }

  /** Saves and drops actors idle for `idleMs` or longer (not running, not stopped); returns how many. */
  async passivateIdle(): Promise<number> {
    const idle = (): Cell<E>[] => {
      const now = this.#clock.now();
      const out: Cell<E>[] = [];
      for (const cell of this.#cells.values()) {
        if (cell.turn || now - cell.lastActiveMs < this.#idleMs) continue;
        if (cell.stoppedUntil !== undefined && now < cell.stoppedUntil) continue;
        if (this.#partitions.get(cell.partition)?.releasing) continue;
        out.push(cell);
      }
      return out;
    };
    await this.#save(idle);
    let count = 0;
    for (const cell of idle()) {
      if (isDirty(cell)) continue; // a turn ran meanwhile, or its save was fenced
      this.#drop(cell, new DeliveryRefusedError(cell.id, RefusalReason.Released));
      count++;
    }
    if (count) this.#logger.debug({ count }, 'passivated idle actors');
    return count;
  }

  stats(): ActorSystemStats {
    const now = this.#clock.now();
    const byPartition: Record<number, number> = {};
    let stopped = 0;
    for (const cell of this.#cells.values()) {
      byPartition[cell.partition] = (byPartition[cell.partition] ?? 0) + 1;
      if (cell.stoppedUntil !== undefined && now < cell.stoppedUntil) stopped++;
    }
    return {
      active: this.#cells.size,
      byPartition,
      processed: this.#processed,
      skipped: this.#skipped,
      restarts: this.#restarts,
      stopped,
    };
  }

  /** Refuses new deliveries, lets queued turns finish, saves every dirty actor and drops all. */
  async stop(): Promise<SaveResult> {
    this.#stopping = true;
    const all = (): Cell<E>[] => [...this.#cells.values()];
    await this.#settle(all);
    const result = await this.#save(all);
    for (const cell of all()) this.#drop(cell, new DeliveryRefusedError(cell.id, RefusalReason.Stopping));
    return result;
  }

  /** Why a delivery to `partition` under `epoch` is refused, if it is; a newer epoch supersedes the old actors. */
  #admit(partition: number, epoch: number): RefusalReason | undefined {
    const p = this.#partitions.get(partition);
    if (!p) {
      this.#partitions.set(partition, { epoch, closed: undefined, releasing: false });
      return undefined;
    }
    if (epoch < p.epoch) return RefusalReason.StaleEpoch;
    if (epoch > p.epoch) {
      // the lease was re-acquired: someone else may have owned it in between, so what we hold is stale
      if (!p.closed) this.#dropPartition(partition, RefusalReason.Abandoned);
      p.epoch = epoch;
      p.closed = undefined;
      p.releasing = false;
      return undefined;
    }
    if (p.closed) return p.closed;
    if (p.releasing) return RefusalReason.Released;
    return undefined;
  }

  async #drain(cell: Cell<E>): Promise<void> {
    // off the caller's stack: deliver() has recorded this drain before it can end
    await Promise.resolve();
    for (let job = cell.mailbox?.shift(); job; job = cell.mailbox?.shift()) await this.#turn(cell, job);
    cell.turn = undefined;
    cell.mailbox = undefined;
  }

  /**
   * Applies one delivery, restarting the actor as often as supervision allows. Never throws.
   * Supervision is for the actor's own failures; a failing store is handed back to the host.
   */
  async #turn(cell: Cell<E>, job: Job<E>): Promise<void> {
    const { d } = job;
    for (;;) {
      if (cell.dropped) return job.reject(cell.dropped);
      let snapshot: Snapshot | undefined;
      try {
        if (cell.needsReset) await this.#reset(cell);
        if (!cell.loaded && !cell.dropped) snapshot = await this.#load(cell);
      } catch (err) {
        if (cell.dropped) continue;
        return this.#storeFailed(cell, job, err);
      }
      if (cell.dropped) continue;
      try {
        if (!cell.loaded) this.#restore(cell, snapshot);
        if (cell.dropped) continue;
        if (d.seq <= cell.lastSeq) {
          this.#skipped++;
          return job.resolve({ effects: [], skipped: true, actor: cell.id });
        }
        const ctx = { kind: d.kind, key: d.key, now: d.ts, epoch: cell.epoch, partition: cell.partition, seq: d.seq };
        const pending = cell.logic.receive(cell.state, d.msg, ctx);
        const out = pending instanceof Promise ? await pending : pending;
        // dropped while an async turn ran (partition lost): its result must not be saved
        if (cell.dropped) continue;
        cell.state = out.state;
        cell.lastSeq = d.seq;
        cell.lastActiveMs = this.#clock.now();
        this.#dirty.add(cell);
        this.#processed++;
        return job.resolve({ effects: out.effects, skipped: false, actor: cell.id });
      } catch (err) {
        if (err instanceof SnapshotVersionError) {
          // no restart reads it any better; the next delivery loads afresh
          this.#drop(cell, err);
          return job.reject(err);
        }
        const { directive, history } = onFailure(this.#policy, cell.restartTimes, this.#clock.now());
        cell.restartTimes = history;
        cell.needsReset = true;
        if (directive.action === 'stop') return this.#stopActor(cell, job, err, directive);
        this.#restarts++;
        this.#logger.warn({ actor: cell.id, err, ...directive }, 'actor failed; restarting');
        this.#report({ actor: cell.id, kind: 'restart', error: err, ...directive });
        await sleepOn(this.#clock, directive.delayMs);
      }
    }
  }

  /** Loads an actor's snapshot, at most `maxConcurrentLoads` at a time. */
  async #load(cell: Cell<E>): Promise<Snapshot | undefined> {
    while (this.#loadsInFlight >= this.#maxLoads) await new Promise<void>((r) => this.#loadWaiters.push(r));
    this.#loadsInFlight++;
    try {
      return await this.#store.load(cell.logic.kind, cell.key);
    } finally {
      this.#loadsInFlight--;
      this.#loadWaiters.shift()?.();
    }
  }

  /** Takes the loaded snapshot (or the initial state) as the actor's state. */
  #restore(cell: Cell<E>, snapshot: Snapshot | undefined): void {
    if (snapshot && snapshot.epoch > cell.epoch) {
      // saved under a newer lease: another host owns this actor now
      this.#logger.warn({ actor: cell.id, epoch: cell.epoch, storedEpoch: snapshot.epoch }, 'actor fenced on load');
      this.#drop(cell, new DeliveryRefusedError(cell.id, RefusalReason.Fenced));
      return;
    }
    cell.state = restoreState(cell.logic, cell.key, snapshot);
    cell.lastSeq = snapshot?.lastSeq ?? 0;
    cell.savedSeq = cell.lastSeq;
    cell.loaded = true;
  }

  /**
   * The store failed under a turn: reject it and everything queued behind it with the store's
   * error (retryable), so no later message of this actor is applied before it. Not counted
   * as a restart: dead-lettering because PostgreSQL blinked would lose messages.
   */
  #storeFailed(cell: Cell<E>, job: Job<E>, err: unknown): void {
    this.#logger.warn({ actor: cell.id, err }, 'snapshot store failed; delivery handed back');
    job.reject(err);
    for (const queued of cell.mailbox?.drain() ?? []) queued.reject(err);
  }

  /**
   * Discards the in-memory state so the next turn reloads it. Turns applied since the last
   * save are saved first: the host may ack them, so reloading an older snapshot would lose them.
   */
  async #reset(cell: Cell<E>): Promise<void> {
    if (isDirty(cell)) await this.#save(() => [cell]);
    if (cell.dropped || isDirty(cell)) return;
    cell.needsReset = false;
    cell.loaded = false;
    cell.state = undefined;
  }

  #stopActor(cell: Cell<E>, job: Job<E>, err: unknown, directive: Directive): void {
    const until = this.#clock.now() + directive.delayMs;
    cell.stoppedUntil = until;
    const stopped = new ActorStoppedError(cell.id, until, { cause: err });
    job.reject(stopped);
    for (const queued of cell.mailbox?.drain() ?? []) queued.reject(stopped);
    this.#logger.error({ actor: cell.id, err, ...directive }, 'actor stopped: too many restarts');
    this.#report({ actor: cell.id, kind: 'stop', error: err, ...directive });
  }

  /** Saves the dirty ones among `pick()`, evaluated when this save's turn in the chain comes. */
  #save(pick: () => Cell<E>[]): Promise<SaveResult> {
    const run = async (): Promise<SaveResult> => {
      const cells = pick().filter((c) => !c.dropped && isDirty(c));
      if (cells.length === 0) return nothingSaved();
      const writes = cells.map(toWrite);
      const result = await this.#store.saveMany(writes);
      const fenced = new Set(result.fenced.map((f) => actorId(f.kind, f.key)));
      cells.forEach((cell, i) => {
        if (fenced.has(cell.id)) {
          this.#drop(cell, new DeliveryRefusedError(cell.id, RefusalReason.Fenced));
          return;
        }
        cell.savedSeq = Math.max(cell.savedSeq, writes[i]?.lastSeq ?? 0);
        if (!isDirty(cell)) this.#dirty.delete(cell);
      });
      if (result.fenced.length) this.#logger.warn({ fenced: result.fenced }, 'snapshot saves fenced: lease lost');
      return result;
    };
    const saving = this.#saveChain.then(run, run);
    this.#saveChain = saving.catch(() => undefined);
    return saving;
  }

  /** Waits until none of `pick()` has a turn running (no new ones are admitted meanwhile). */
  async #settle(pick: () => Cell<E>[]): Promise<void> {
    for (;;) {
      const turns = pick().flatMap((c) => (c.turn ? [c.turn] : []));
      if (turns.length === 0) return;
      await Promise.all(turns);
    }
  }

  #cellsOf(partition: number): Cell<E>[] {
    return [...this.#cells.values()].filter((c) => c.partition === partition);
  }

  #dropPartition(partition: number, reason: RefusalReason): void {
    for (const cell of this.#cellsOf(partition)) this.#drop(cell, new DeliveryRefusedError(cell.id, reason));
  }

  /** Forgets the actor; its queued deliveries, and the running one at its next step, reject with `why`. */
  #drop(cell: Cell<E>, why: Error): void {
    if (cell.dropped) return;
    cell.dropped = why;
    if (this.#cells.get(cell.id) === cell) this.#cells.delete(cell.id);
    this.#dirty.delete(cell);
    for (const queued of cell.mailbox?.drain() ?? []) queued.reject(why);
  }

  #report(report: SupervisionReport): void {
    try {
      this.#onReport?.(report);
    } catch (err) {
      this.#logger.warn({ err, actor: report.actor }, 'onReport threw; ignored');
    }
  }
}
