import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import { Svcm, type Service } from '@nats-io/services';
import { KV_BUCKETS, STREAMS, fenceV1, subjects, type MessageDef } from '../../schemas/index.js';
import {
  makeEnvelope,
  publishEnvelope,
  rewindConsumer,
  telConsumerName,
  type Bus,
  type RewindJournal,
  type RewindRecord,
} from '../../bus/index.js';
import { HostRegistry, LeaseKeeper, LeaseStore, partitionKey, readAssignment } from '../../supervisor/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import { ActorSystem, type AnyActorLogic, type SnapshotStore } from '../runtime/index.js';

import type { HostEffect } from './effects.js';
import { PartitionWorker, type Router } from './partition-worker.js';
import { joinClock } from './clock-participant.js';

export const HOST_SERVICE = 'oi-host';

export interface ActorHostOptions {
  bus: Bus;
  store: SnapshotStore;
  logics: AnyActorLogic<HostEffect>[];
  router: Router;
  accept: readonly MessageDef[];
  hostId?: string;
  leaseTtlMs?: number;
  /** How often the host reads the assignment and heartbeats; default ttl / 3. */
  intervalMs?: number;
  batch?: number;
  idleMs?: number;
  logger?: Logger;
  version?: string;
}

export interface ActorHost {
  readonly hostId: string;
  held(): number[];
  stats(): { partitions: number[]; actors: number; processed: number; effects: number; restarts: number; lost: number };
  /** Graceful leave: finish and ack in-flight rounds, save actors, release leases, deregister. */
  stop(): Promise<void>;
}

/** A unique host id: two processes sharing one would share a fencing epoch. */
export function newHostId(): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * An actor-host process: heartbeats, follows the supervisor's assignment by taking and
 * releasing partition leases, and runs one PartitionWorker per partition it holds.
 */
export async function startActorHost(opts: ActorHostOptions): Promise<ActorHost> {
  const { bus } = opts;
  const logger = opts.logger ?? silentLogger;
  const hostId = opts.hostId ?? newHostId();
  const ttl = opts.leaseTtlMs ?? 10_000;
  const interval = opts.intervalMs ?? Math.max(50, Math.floor(ttl / 3));
  const startedAt = Date.now();
  const leases = await LeaseStore.open(bus);
  const registry = await HostRegistry.open(bus);
  const leasesKv: KV = await bus.kvm.open(KV_BUCKETS.leases);
  const keeper = new LeaseKeeper({ store: leases, ttlMs: ttl, logger });
  // kept beside the leases: an owner killed mid-rewind leaves no consumer to read the floor from
  const rewinds: RewindJournal = {
    save: async (durable, record) => {
      await leasesKv.put(`rewind.${durable}`, JSON.stringify(record));
    },
    load: async (durable) => {
      const e = await leasesKv.get(`rewind.${durable}`);
      return e?.operation === 'PUT' ? (e.json<RewindRecord>() ?? undefined) : undefined;
    },
  };
  let restarts = 0;
  let lostCount = 0;
  const system = new ActorSystem<HostEffect>({
    logics: opts.logics,
    store: opts.store,
    logger,
    ...(opts.idleMs ? { idleMs: opts.idleMs } : {}),
    onReport: (r) => {
      restarts++;
      logger.warn({ actor: r.actor, kind: r.kind, err: r.error }, 'actor supervision');
    },
  });
  const workers = new Map<number, PartitionWorker>();
  /** Epoch each lost partition was lost at: taking it back must raise the epoch. */
  const lostAt = new Map<number, number>();
  const pending = new Set<number>();
  let stopping = false;

  const lose = (p: number, reason: string, from?: PartitionWorker): void => {
    const w = workers.get(p);
    // a late report from a worker of an older epoch must not stop the current one
    if (!w || (from && w !== from)) return;
    workers.delete(p);
    lostAt.set(p, w.epoch);
    lostCount++;
    logger.warn({ partition: p, epoch: w.epoch, reason }, 'partition lost');
    system.abandonPartition(p);
    keeper.forget(partitionKey(p));
    void w.stop('abort');
  };
  keeper.on('lost', (key: string, reason: string) => {
    const p = Number(key.slice('part.'.length));
    if (Number.isInteger(p)) lose(p, `lease ${reason}`);
  });

  const take = async (p: number): Promise<void> => {
    const key = partitionKey(p);
    let lease = await keeper.acquire(key, hostId);
    if (lease && lease.epoch <= (lostAt.get(p) ?? 0)) {
      // still ours from before the loss: a fresh epoch keeps the old worker's effects fenced
      await keeper.release(key);
      lease = await keeper.acquire(key, hostId);
    }
    if (!lease || stopping) {
      if (lease) await keeper.release(key);
      return;
    }
    try {
      // the store refuses the old owner's late snapshot writes before this owner loads any state
      await opts.store.fencePartition(p, lease.epoch);
      await rewindConsumer(bus.jsm, STREAMS.tel, telConsumerName(p), rewinds);
      // the fence goes out before any effect of this epoch (DESIGN.md "fencing")
      const fence = makeEnvelope(fenceV1, { partition: p, epoch: lease.epoch, holder: hostId }, { source: hostId });
      await publishEnvelope(bus.js, subjects.fence(p), fence, { retry: { deadlineMs: ttl } });
    } catch (err) {
      // a held lease with no worker would keep the partition from everyone: give it back
      await keeper.release(key).catch(() => undefined);
      throw err;
    }
    const worker = new PartitionWorker({
      bus,
      partition: p,
      epoch: lease.epoch,
      leaseKey: key,
      holder: hostId,
      keeper,
      leases,
      system,
      router: opts.router,
      accept: opts.accept,
      logger,
      ...(opts.batch ? { batch: opts.batch } : {}),
      fetchExpiresMs: Math.min(1_000, interval),
      onLost: (reason) => lose(p, reason, worker),
    });
    workers.set(p, worker);
    worker.start();
    logger.info({ partition: p, epoch: lease.epoch }, 'partition acquired');
  };

  const give = async (p: number): Promise<void> => {
    const w = workers.get(p);
    if (!w) return;
    await w.stop('drain');
    workers.delete(p);
    await system.releasePartition(p);
    await keeper.release(partitionKey(p));
    logger.info({ partition: p, epoch: w.epoch }, 'partition released');
  };

  const heartbeat = async (): Promise<void> => {
    await registry.heartbeat(
      hostId,
      {
        partitions: [...workers.keys()].sort((a, b) => a - b),
        startedAt,
        pid: process.pid,
        version: opts.version ?? '0.1.0',
      },
      ttl
    );
  };

  const reconcile = async (): Promise<void> => {
    const a = await readAssignment(leasesKv);
    if (!a) return;
    const mine = new Set<number>();
    for (const [p, h] of Object.entries(a.value.owners)) if (h === hostId) mine.add(Number(p));
    const work: Promise<void>[] = [];
    for (const p of workers.keys()) if (!mine.has(p)) work.push(give(p));
    for (const p of mine) {
      if (workers.has(p) || pending.has(p)) continue;
      pending.add(p);
      work.push(take(p).finally(() => pending.delete(p)));
    }
    await Promise.all(work);
    await system.passivateIdle();
  };

  // heartbeats on their own timer: a slow hand-off of partitions must not make the host look dead
  let beating = false;
  const beat = (): void => {
    if (beating || stopping) return;
    beating = true;
    heartbeat()
      .catch((err: unknown) => logger.warn({ err }, 'heartbeat failed; retrying'))
      .finally(() => (beating = false));
  };
  const beatTimer = setInterval(beat, interval);
  await heartbeat();

  let tick: Promise<void> = Promise.resolve();
  let reconciling = false;
  const timer = setInterval(() => {
    if (reconciling) return;
    reconciling = true;
    tick = tick
      .then(reconcile)
      .catch((err: unknown) => logger.warn({ err }, 'reconcile failed; retrying'))
      .finally(() => (reconciling = false));
  }, interval);
  tick = reconcile().catch((err: unknown) => logger.warn({ err }, 'first reconcile failed; retrying'));

  const stats = (): ReturnType<ActorHost['stats']> => {
    const s = system.stats();
    let processed = 0;
    let effects = 0;
    for (const w of workers.values()) {
      processed += w.stats.processed;
      effects += w.stats.effects;
    }
    return {
      partitions: [...workers.keys()].sort((a, b) => a - b),
      actors: s.active,
      processed,
      effects,
      restarts,
      lost: lostCount,
    };
  };

  const service: Service = await new Svcm(bus.nc).add({
    name: HOST_SERVICE,
    version: opts.version ?? '0.1.0',
    description: 'OptiInfra actor host: runs the actors of the partitions it holds',
    metadata: { host: hostId },
    statsHandler: () => Promise.resolve(stats()),
  });
  service.addEndpoint('stats', {
    subject: `oi.v1.host.${hostId}.stats`,
    handler: (_e, m) => m.respond(JSON.stringify(stats())),
  });
  const clock = joinClock(bus, { hostId, workers: () => [...workers.values()], logger });

  return {
    hostId,
    held: () => [...workers.keys()].sort((a, b) => a - b),
    stats,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      clearInterval(beatTimer);
      await tick;
      await Promise.all([...workers.keys()].map((p) => give(p)));
      await keeper.stop({ release: true });
      await registry.remove(hostId).catch(() => undefined);
      clock.stop();
      await service.stop();
      await system.stop();
    },
  };
}
