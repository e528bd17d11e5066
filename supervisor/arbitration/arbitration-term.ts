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
  type Envelope,
  type Proposal,
} from '../../schemas/index.js';
import { consume, newId, type Bus, type ConsumeHandle } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';
import type { Postgres } from '../../stores/index.js';
import { Guardrails } from '../guardrails/index.js';
import { FencedInbox } from '../leases/index.js';
import { Arbiter, DecisionRepo, type Effect } from '../priority/index.js';
import { EffectSink } from './effect-sink.js';
import { PendingApprovals } from './pending-approvals.js';
import { Serial } from './serial.js';
import { WorkloadBook } from './workload-book.js';

export const REC_CONSUMER = 'oi-supervisor-rec';
/** `oi_config` key of the fleet-wide pause switch, so a new leader keeps it. */
export const PAUSE_KEY = 'fleet.pause';

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
  #consumer: ConsumeHandle | undefined;
  #stopTick: (() => void) | undefined;
  #backlog: Effect[] = [];
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

  /** Records and publishes effects; a failed batch is kept and retried before the next one. */
  async apply(effects: readonly Effect[]): Promise<void> {
    this.pending.observe(effects);
    const batch = [...this.#backlog, ...effects];
    this.#backlog = [];
    try {
      await this.#sink.apply(batch);
    } catch (err) {
      // the arbiter already moved on: these must still reach PostgreSQL and the bus
      this.#backlog = batch;
      this.#opts.logger.error({ err, effects: batch.length }, 'effects not carried out; retrying with the next batch');
    }
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
    await this.#book?.stop();
  }

  async #start(): Promise<void> {
    const { bus, logger } = this.#opts;
    this.#book = await WorkloadBook.open({ arbiter: this.arbiter, bus, db: this.#opts.db, logger });
    await this.#restorePause();
    await this.#ensureConsumer();
    this.#consumer = await consume(bus.js, {
      stream: STREAMS.rec,
      consumer: REC_CONSUMER,
      accept: [proposalV1, fenceV1, probeSeenV1],
      source: 'oi-supervisor',
      logger,
      handler: (env, ctx) => this.serial.run(() => this.#onRec(env, ctx.msg.headers)),
    });
    this.#startTicks();
    logger.info({ epoch: this.#opts.epoch, workloads: this.#book.size, clock: this.#opts.clock }, 'arbitration up');
  }

  async #onRec(env: Envelope, headers: MsgHdrs | undefined): Promise<void> {
    if (env.schema === probeSeenV1.id) return;
    if (env.schema === fenceV1.id) {
      this.inbox.accept(env, undefined);
      return;
    }
    const p = env.data as Proposal;
    const atMs = Date.parse(env.ts);
    await this.repo.saveProposal(p, atMs);
    const verdict = this.inbox.accept(env, stampOf(headers));
    if (verdict.kind === 'duplicate' || verdict.kind === 'fence') return;
    if (verdict.kind === 'stale') {
      await this.apply(staleEffects(p, Math.max(atMs, this.arbiter.nowMs), verdict.reason, this.#opts.epoch));
      return;
    }
    this.pending.received(p);
    await this.apply(this.arbiter.submit(p, atMs));
  }

  #startTicks(): void {
    const advance = (atMs: number): void => {
      void this.serial.run(() => this.apply(this.arbiter.advance(atMs)));
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
