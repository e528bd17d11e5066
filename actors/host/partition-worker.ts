import type { JsMsg } from '@nats-io/jetstream';
import { decodeEnvelope, STREAMS, type Envelope, type MessageDef } from '../../schemas/index.js';
import { DEFAULT_HOST_BATCH, deadLetter, isSensitiveSubject, telConsumerName, type Bus } from '../../bus/index.js';
import type { LeaseKeeper, LeaseStore } from '../../supervisor/index.js';
import type { Logger } from '../../config/index.js';
import { ActorStoppedError, DeliveryRefusedError, UnknownActorKindError, type ActorSystem } from '../runtime/index.js';
import { effectEnvelope, effectId, publishEffect, type HostEffect } from './effects.js';

/** Which actors a message goes to: e.g. the four agents of its workload. */
export type Router = (env: Envelope, subject: string) => Array<{ kind: string; key: string }>;

export interface PartitionWorkerOptions {
  bus: Bus;
  partition: number;
  epoch: number;
  leaseKey: string;
  holder: string;
  keeper: LeaseKeeper;
  leases: LeaseStore;
  system: ActorSystem<HostEffect>;
  router: Router;
  accept: readonly MessageDef[];
  logger: Logger;
  /** Messages fetched per round; one lease check and one snapshot flush per round. */
  batch?: number;
  /** Longest a pull waits for the first message (>= 1 s); a round starts as soon as one arrives. */
  fetchExpiresMs?: number;
  onLost: (reason: string) => void;
}

export interface WorkerStats {
  processed: number;
  effects: number;
  deadLettered: number;
  rounds: number;
}

/**
 * Pulls one partition's durable consumer while this host holds its lease. Per round: run the
 * turns, publish their effects (stamped with the epoch), save snapshots, check the lease
 * on the stream leader, and only then ack. An effect stored before that check precedes, in
 * the effect stream, every effect of a newer owner (who fences first), so receivers never
 * reject an effect whose message was acked.
 */
export class PartitionWorker {
  readonly stats: WorkerStats = { processed: 0, effects: 0, deadLettered: 0, rounds: 0 };
  #stopping: 'drain' | 'abort' | undefined;
  #busy = false;
  #done: Promise<void> | undefined;
  readonly #o: PartitionWorkerOptions;

  constructor(opts: PartitionWorkerOptions) {
    this.#o = opts;
  }

  get partition(): number {
    return this.#o.partition;
  }
  get epoch(): number {
    return this.#o.epoch;
  }
  /** No round in progress (used by the lockstep clock). */
  get idle(): boolean {
    return !this.#busy;
  }

  start(): void {
    this.#done = this.#loop().catch((err: unknown) => {
      this.#o.logger.error({ err, partition: this.#o.partition }, 'partition worker failed');
      this.#o.onLost(`worker failed: ${(err as Error).message}`);
    });
  }

  /** `drain` finishes the round in progress (acked); `abort` stops without acking anything more. */
  async stop(mode: 'drain' | 'abort'): Promise<void> {
    this.#stopping ??= mode;
    if (mode === 'abort') this.#stopping = 'abort';
    await this.#done;
  }

  async #loop(): Promise<void> {
    const o = this.#o;
    const consumer = await o.bus.js.consumers.get(STREAMS.tel, telConsumerName(o.partition));
    while (!this.#stopping) {
      // a fetch of a whole batch holds until the batch fills or it expires (>= 1 s, the client's
      // floor), so a lockstep tick of a few messages would wait out the expiry: wait for the first
      // message alone (answered as soon as one arrives), then take what is already pending
      const expires = Math.max(1_000, o.fetchExpiresMs ?? 1_000);
      const first = await consumer.next({ expires });
      if (!first) continue;
      const msgs: JsMsg[] = [first];
      const more = Math.min(first.info.pending, (o.batch ?? DEFAULT_HOST_BATCH) - 1);
      if (more > 0) {
        for await (const m of await consumer.fetch({ max_messages: more, expires })) msgs.push(m);
      }
      if (this.#stopping === 'abort') return;
      this.#busy = true;
      try {
        await this.#round(msgs);
      } finally {
        this.#busy = false;
      }
    }
  }

  async #round(msgs: JsMsg[]): Promise<void> {
    const o = this.#o;
    if (!o.keeper.isValid(o.leaseKey)) return this.#lose('lease expired before the round');
    this.stats.rounds++;
    const stamp = { epoch: o.epoch, partition: o.partition, source: o.holder };
    const publishes: Promise<void>[] = [];
    const toAck: JsMsg[] = [];
    const toTerm: Array<{ m: JsMsg; reason: string }> = [];

    let refused: DeliveryRefusedError | undefined;
    const turns = msgs.map(async (m) => {
      const decoded = decodeEnvelope(m.data, o.accept);
      if (!decoded.ok) {
        toTerm.push({ m, reason: decoded.error.reason });
        return;
      }
      const env = decoded.envelope;
      const ts = Date.parse(env.ts);
      const results = await Promise.allSettled(
        o
          .router(env, m.subject)
          .map((t) =>
            o.system.deliver(
              { id: env.id, seq: m.seq, partition: o.partition, ts, kind: t.kind, key: t.key, msg: env },
              o.epoch
            )
          )
      );
      for (const r of results) {
        if (r.status === 'rejected') {
          if (r.reason instanceof ActorStoppedError || r.reason instanceof UnknownActorKindError) {
            toTerm.push({ m, reason: `not processed: ${(r.reason as Error).message}` });
            return;
          }
          if (r.reason instanceof DeliveryRefusedError) refused = r.reason;
          throw r.reason;
        }
        if (r.value.skipped)
          o.logger.info(
            { actor: r.value.actor, seq: m.seq, partition: o.partition, epoch: o.epoch },
            'redelivery skipped: already applied'
          );
        r.value.effects.forEach((effect, i) => {
          const id = effectId(env.id, r.value.actor, i);
          const envelope = effectEnvelope(effect, id, { ...stamp, ts, cause: env.id });
          publishes.push(publishEffect(o.bus.js, effect, envelope, { ...stamp, ts, cause: env.id }));
        });
      }
      toAck.push(m);
    });
    const settled = await Promise.allSettled(turns);
    const failed = settled.find((r) => r.status === 'rejected');
    const published = failed ? [] : await Promise.allSettled(publishes);
    const pubFailed = published.find((r) => r.status === 'rejected');
    if (failed || pubFailed) {
      if (refused) return this.#lose(`delivery refused: ${refused.message}`);
      // nothing acked. Giving the partition up (next owner: new epoch, consumer rewound to its
      // ack floor) replays the round in order; a nak could let newer messages overtake it.
      return this.#lose(`round failed: ${String(((failed ?? pubFailed) as PromiseRejectedResult).reason)}`);
    }
    const saved = await o.system.flush(o.partition);
    if (this.#stopping === 'abort' || !o.system.isOpen(o.partition, o.epoch)) {
      // abandoned meanwhile: actors of this round may have been dropped unsaved, so no ack
      return this.#lose('partition abandoned during the round');
    }
    if (saved.fenced.length)
      return this.#lose(
        `snapshot fenced: ${saved.fenced[0]!.kind}:${saved.fenced[0]!.key} is at epoch ${saved.fenced[0]!.storedEpoch}`
      );
    const lease = await o.leases.readStrict(o.leaseKey);
    if (!lease || lease.holder !== o.holder || lease.epoch !== o.epoch || lease.deadline <= Date.now()) {
      return this.#lose(
        `lease ${o.leaseKey} is no longer ours (epoch ${lease?.epoch ?? '-'} held by ${lease?.holder || 'nobody'})`
      );
    }
    for (const { m, reason } of toTerm) await this.#deadLetter(m, reason);
    for (const m of toAck) m.ack();
    this.stats.processed += toAck.length;
    this.stats.effects += publishes.length;
  }

  async #deadLetter(m: JsMsg, reason: string): Promise<void> {
    try {
      await deadLetter(
        this.#o.bus.js,
        {
          stream: STREAMS.tel,
          subject: m.subject,
          reason,
          raw: m.data,
          deliveries: m.info.deliveryCount,
          sensitive: isSensitiveSubject(m.subject),
          ...(m.headers ? { headers: m.headers } : {}),
        },
        { source: this.#o.holder }
      );
      m.term(reason.slice(0, 200));
      this.stats.deadLettered++;
    } catch (err) {
      this.#o.logger.error({ err }, 'dead-letter failed; message will be redelivered');
      m.nak(1_000);
    }
  }

  #lose(reason: string): void {
    this.#stopping = 'abort';
    this.#o.onLost(reason);
  }
}
