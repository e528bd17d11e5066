import type { MsgHdrs } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import {
  KV_BUCKETS,
  STREAMS,
  clockTickV1,
  decodeEnvelope,
  fenceV1,
  probeSeenV1,
  proposalV1,
  subjects,
  type Proposal,
} from '../../schemas/index.js';
import { newId, type Bus } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';
import type { Postgres } from '../../stores/index.js';
import { Guardrails } from '../guardrails/index.js';
import { FencedInbox } from '../leases/index.js';
import { Arbiter, DecisionRepo, type ArbitrationStateRow, type Effect } from '../priority/index.js';
import { consumeBatches, type BatchConsumeHandle, type BatchItem } from './batch-consume.js';
import { EffectSink } from './effect-sink.js';
import { PendingApprovals, type PendingApproval } from './pending-approvals.js';
import { Serial } from './serial.js';
import { WorkloadBook } from './workload-book.js';

export const REC_CONSUMER = 'oi-supervisor-rec';
/** `oi_config` key of the fleet-wide pause switch, so a new leader keeps it. */
export const PAUSE_KEY = 'fleet.pause';
/** Proposals handled per batch at most: one PostgreSQL transaction and one publish wave each. */
export const MAX_BATCH = 1024;
/**
 * Decisions recorded this recently are re-sent by a new leader: its predecessor may have died
 * before publishing them. OI_DEC's duplicate window (2 minutes) drops the copies it holds.
 */
const RESEND_WITHIN_MS = 110_000;

export interface TermOptions {
  bus: Bus;
  db: Postgres;
  logger: Logger;
  epoch: number;
  windowMs: number;
  lockTtlMs: number;
  approvalTtlMs: number;
  /** `wall`: a timer advances event time; `lockstep`: `oi.v1.clock.tick` does. */
  clock: 'wall' | 'lockstep';
  tickMs: number;
  ackWaitMs: number;
}

interface PauseState {
  v: 1;
  paused: boolean;
  by: string;
  at: string;
  reason?: string;
}

/**
 * One leadership term of the arbitration: the Arbiter and everything feeding it (proposals
 * from OI_REC through a FencedInbox, ticks, workload changes) and carrying out its effects.
 * Every arbiter call and its effects run on one serial queue, in order.
 */
export class ArbitrationTerm {
  readonly arbiter: Arbiter;
  readonly serial = new Serial();
  readonly inbox = new FencedInbox();
  readonly pending: PendingApprovals;
  readonly repo: DecisionRepo;
  readonly #sink: EffectSink;
  readonly #opts: TermOptions;
  #book!: WorkloadBook;
  #consumer: BatchConsumeHandle | undefined;
  #stopTick: (() => void) | undefined;
  #backlog: Effect[] = [];
  /** Recorded but not yet on the bus (a publish failed). */
  #unsent: Effect[] = [];
  #publishing: Promise<void> = Promise.resolve();
  /** Proposals whose memory changed since it was last stored. */
  readonly #dirty = new Set<string>();
  #restored = { live: 0, settled: 0, resent: 0 };
  #stopped = false;

  private constructor(opts: TermOptions) {
    this.#opts = opts;
    this.arbiter = new Arbiter({
      config: { windowMs: opts.windowMs, lockTtlMs: opts.lockTtlMs, approvalTtlMs: opts.approvalTtlMs },
      guardrails: new Guardrails(),
      newDecisionId: () => newId(),
    });
    this.arbiter.setEpoch(opts.epoch);
    this.repo = new DecisionRepo(opts.db);
    this.#sink = new EffectSink(opts.bus, this.repo);
    this.pending = new PendingApprovals(opts.approvalTtlMs);
  }

  static async start(opts: TermOptions): Promise<ArbitrationTerm> {
    const t = new ArbitrationTerm(opts);
    await t.#start();
    return t;
  }

  get book(): WorkloadBook {
    return this.#book;
  }

  get epoch(): number {
    return this.#opts.epoch;
  }

  /** Event time of an operator command: the wall clock, or the last tick in lockstep. */
  commandTimeMs(envTs: string): number {
    if (this.#opts.clock === 'wall') return Date.now();
    return Number.isFinite(this.arbiter.nowMs) ? this.arbiter.nowMs : Date.parse(envTs);
  }

  /** What the new term took over from PostgreSQL: live proposals, settled ones the caps count, decisions re-sent. */
  get restored(): { live: number; settled: number; resent: number } {
    return { ...this.#restored };
  }

  /**
   * Records effects, with the arbiter's memory of every proposal they (or `touched`) concern,
   * in PostgreSQL, then publishes them. Publishing runs in order behind the previous batch's;
   * `wait: false` returns once recorded, so the next batch's PostgreSQL work overlaps this
   * one's publishing (a new leader re-sends recent decisions, see `#restore`). A batch that
   * fails either half is kept and retried with the next one.
   */
  async apply(effects: readonly Effect[], touched: Iterable<string> = [], wait = true): Promise<void> {
    this.pending.observe(effects);
    for (const id of touched) this.#dirty.add(id);
    for (const e of effects) for (const id of proposalIdsOf(e)) this.#dirty.add(id);
    const batch = [...this.#backlog, ...effects];
    this.#backlog = [];
    const lastDecision = new Map<string, Extract<Effect, { type: 'decision' }>>();
    for (const e of batch) if (e.type === 'decision') lastDecision.set(e.decision.proposal_id, e);
    const states = [...this.#dirty].flatMap((id) => this.#stateRow(id, lastDecision.get(id)));
    try {
      await this.#sink.record(batch, states);
      this.#dirty.clear();
    } catch (err) {
      // the arbiter already moved on: these must still reach PostgreSQL and the bus
      this.#backlog = batch;
      this.#opts.logger.error({ err, effects: batch.length }, 'effects not recorded; retrying with the next batch');
      return;
    }
    const unsent = this.#unsent.splice(0);
    this.#publishing = this.#publishing.then(() =>
      this.#sink.publish([...unsent, ...batch]).catch((err: unknown) => {
        this.#unsent.unshift(...unsent, ...batch);
        this.#opts.logger.error({ err, effects: batch.length }, 'effects not published; retrying with the next batch');
      })
    );
    if (wait) await this.#publishing;
  }

  /** Loads what PostgreSQL knows of proposals this term has not seen (decided by an earlier leader). */
  async ensureKnown(proposalIds: readonly string[]): Promise<void> {
    const unknown = proposalIds.filter((id) => this.arbiter.fateOf(id) === undefined);
    if (unknown.length) this.#adopt(await this.repo.statesOf(unknown));
  }

  async writePause(state: Omit<PauseState, 'v'>): Promise<void> {
    const kv = await this.#opts.bus.kvm.open(KV_BUCKETS.config);
    await kv.put(PAUSE_KEY, JSON.stringify({ v: 1, ...state }));
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopTick?.();
    await this.#consumer?.stop();
    await this.serial.idle();
    await this.#publishing;
    await this.#book?.stop();
  }

  async #start(): Promise<void> {
    const { bus, logger } = this.#opts;
    this.#book = await WorkloadBook.open({ arbiter: this.arbiter, bus, db: this.#opts.db, logger });
    await this.#restorePause();
    await this.#restore();
    await this.#ensureConsumer();
    this.#consumer = await consumeBatches(bus.js, {
      stream: STREAMS.rec,
      consumer: REC_CONSUMER,
      accept: [proposalV1, fenceV1, probeSeenV1],
      source: 'oi-supervisor',
      logger,
      maxBatch: MAX_BATCH,
      handler: (items) => this.serial.run(() => this.#onBatch(items)),
    });
    this.#startTicks();
    logger.info(
      { epoch: this.#opts.epoch, workloads: this.#book.size, clock: this.#opts.clock, restored: this.#restored },
      'arbitration up'
    );
  }

  /**
   * A new leader carries on from PostgreSQL: open windows, pending approvals, executing
   * actions with their locks and the caps' memory; it re-sends the last decision of each live
   * proposal and every decision recorded within RESEND_WITHIN_MS, since its predecessor may
   * have died between recording and publishing them (OI_DEC drops a copy it already holds:
   * the message id is the decision id).
   */
  async #restore(): Promise<void> {
    const g = this.arbiter.guardrails.config;
    const rows = await this.repo.liveStates(Math.max(3_600_000, g.spendPeriodMs));
    this.#adopt(rows);
    const resend = [
      ...rows.flatMap((r) => (r.state !== 'settled' && r.last_decision ? [r.last_decision] : [])),
      ...(await this.repo.recentDecisions(RESEND_WITHIN_MS)),
    ];
    await this.#sink.publish(resend);
    const live = rows.filter((r) => r.state !== 'settled').length;
    this.#restored = { live, settled: rows.length - live, resent: resend.length };
  }

  #adopt(rows: readonly ArbitrationStateRow[]): void {
    this.arbiter.restore(rows.map((r) => r.memory));
    for (const r of rows) {
      if (r.state === 'window' || r.state === 'pending_approval') {
        this.pending.restore(r.memory.tracked.proposal, r.pending as PendingApproval | undefined);
      }
    }
  }

  #stateRow(id: string, lastDecision: Extract<Effect, { type: 'decision' }> | undefined): ArbitrationStateRow[] {
    const full = this.arbiter.memoryOf(id);
    if (!full) return [];
    const t = full.tracked;
    // a settled proposal the caps no longer count needs only its fate (redeliveries, late approvals)
    const memory =
      t.state === 'settled' && !full.started && !full.lock
        ? {
            tracked: {
              proposal: t.proposal,
              receivedAtMs: t.receivedAtMs,
              state: t.state,
              ...(t.fate ? { fate: t.fate } : {}),
              ...(t.outcome ? { outcome: t.outcome } : {}),
            },
          }
        : full;
    const pending = this.pending.get(id);
    return [
      {
        proposal_id: id,
        workload: t.proposal.workload,
        state: t.state,
        ...(t.fate ? { fate: t.fate } : {}),
        epoch: this.#opts.epoch,
        ...(memory.started ? { started_at: new Date(memory.started.atMs).toISOString() } : {}),
        memory,
        ...(pending ? { pending } : {}),
        ...(lastDecision ? { last_decision: lastDecision } : {}),
      },
    ];
  }

  /** Everything that queued up on OI_REC since the last batch: one save, one state read, one transaction. */
  async #onBatch(items: readonly BatchItem[]): Promise<void> {
    const startedMs = performance.now();
    const proposals = items.filter((i) => i.env.schema === proposalV1.id);
    await this.repo.saveProposals(
      proposals.map((i) => ({ proposal: i.env.data as Proposal, receivedAtMs: Date.parse(i.env.ts) }))
    );
    await this.ensureKnown(proposals.map((i) => (i.env.data as Proposal).proposal_id));
    const fx: Effect[] = [];
    const touched: string[] = [];
    for (const { env, msg } of items) {
      if (env.schema === probeSeenV1.id) continue;
      if (env.schema === fenceV1.id) {
        this.inbox.accept(env, undefined);
        continue;
      }
      const p = env.data as Proposal;
      const atMs = Date.parse(env.ts);
      const verdict = this.inbox.accept(env, stampOf(msg.headers));
      if (verdict.kind === 'duplicate' || verdict.kind === 'fence') continue;
      if (verdict.kind === 'stale') {
        fx.push(...staleEffects(p, Math.max(atMs, this.arbiter.nowMs), verdict.reason, this.#opts.epoch));
        continue;
      }
      if (this.arbiter.fateOf(p.proposal_id) === undefined) this.pending.received(p);
      fx.push(...this.arbiter.submit(p, atMs));
      touched.push(p.proposal_id);
    }
    const arbitratedMs = performance.now();
    await this.apply(fx, touched, false);
    this.#opts.logger.debug(
      {
        messages: items.length,
        effects: fx.length,
        arbitrateMs: Math.round(arbitratedMs - startedMs),
        applyMs: Math.round(performance.now() - arbitratedMs),
      },
      'proposal batch'
    );
  }

  #startTicks(): void {
    // at most one tick waits in the queue: behind a long batch, ticks merge into the latest time
    let queuedAtMs: number | undefined;
    const advance = (atMs: number): void => {
      const waiting = queuedAtMs !== undefined;
      queuedAtMs = Math.max(queuedAtMs ?? atMs, atMs);
      if (waiting) return;
      void this.serial.run(() => {
        const at = queuedAtMs ?? atMs;
        queuedAtMs = undefined;
        const t0 = performance.now();
        const fx = this.arbiter.advance(at);
        const t1 = performance.now();
        return this.apply(fx, [], false).then(() => {
          if (fx.length > 100)
            this.#opts.logger.debug(
              { effects: fx.length, advanceMs: Math.round(t1 - t0), applyMs: Math.round(performance.now() - t1) },
              'tick'
            );
        });
      });
    };
    if (this.#opts.clock === 'wall') {
      const timer = setInterval(() => advance(Date.now()), this.#opts.tickMs);
      this.#stopTick = () => clearInterval(timer);
      return;
    }
    const sub = this.#opts.bus.nc.subscribe(subjects.clockTick, {
      callback: (err, m) => {
        if (err) return;
        const d = decodeEnvelope(m.data, [clockTickV1]);
        if (d.ok) advance(Date.parse((d.envelope.data as { t: string }).t));
        else this.#opts.logger.warn({ reason: d.error.reason }, 'invalid clock tick ignored');
      },
    });
    this.#stopTick = () => sub.unsubscribe();
  }

  async #restorePause(): Promise<void> {
    const kv = await this.#opts.bus.kvm.open(KV_BUCKETS.config);
    const e = await kv.get(PAUSE_KEY);
    if (e?.operation !== 'PUT') return;
    const s = JSON.parse(e.string()) as PauseState;
    if (s.paused) this.arbiter.guardrails.setPaused(true, s.by, Date.parse(s.at));
  }

  async #ensureConsumer(): Promise<void> {
    const { jsm } = this.#opts.bus;
    const have = await jsm.consumers.info(STREAMS.rec, REC_CONSUMER).catch(() => undefined);
    if (have) return;
    await jsm.consumers.add(STREAMS.rec, {
      durable_name: REC_CONSUMER,
      filter_subject: 'oi.v1.rec.>',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: this.#opts.ackWaitMs * 1_000_000,
      max_ack_pending: 1024,
    });
  }
}

function proposalIdsOf(e: Effect): string[] {
  switch (e.type) {
    case 'decision':
      return [e.decision.proposal_id];
    case 'lock':
      return [e.lock.proposalId];
    case 'audit':
      return [e.row.proposal_id];
    case 'preempt':
      return [e.proposalId, e.by];
    default:
      return [e.proposalId];
  }
}

function stampOf(h: MsgHdrs | undefined): { partition: number; epoch: number } | undefined {
  const partition = Number(h?.get('Oi-Partition'));
  const epoch = Number(h?.get('Oi-Epoch'));
  if (!h?.has('Oi-Partition') || !h.has('Oi-Epoch') || !Number.isInteger(partition) || !Number.isInteger(epoch)) {
    return undefined;
  }
  return { partition, epoch };
}

/** A proposal from a stale partition owner never reaches the arbiter; it ends rejected, with a record. */
function staleEffects(p: Proposal, atMs: number, reason: string, epoch: number): Effect[] {
  const why = `fenced: ${reason}`;
  return [
    {
      type: 'audit',
      row: {
        seq: 0,
        epoch,
        at: new Date(atMs).toISOString(),
        workload: p.workload,
        proposal_id: p.proposal_id,
        kind: 'rejection',
        actor: 'supervisor',
        fate: 'rejected',
        rule: 'stale fencing epoch',
        reason: why,
        proposal: p,
      },
    },
    { type: 'outcome', atMs, workload: p.workload, proposalId: p.proposal_id, fate: 'rejected', reason: why },
  ];
}
