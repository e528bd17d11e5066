import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Svcm, type Service } from '@nats-io/services';
import { rewindConsumer, type Bus } from '../../bus/index.js';
import { LeaseKeeper, LeaseStore } from '../../supervisor/index.js';
import type { ClickHouse } from '../../stores/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import { ingestSources, type IngestSource } from './ingest-sources.js';
import { IngestWorker, type ContentStore, type IngestWorkerStats } from './ingest-worker.js';
import type { LagSample } from './lag.js';
import { recordPlacement } from './placement-sample.js';
import { preferredOwner } from './preferred-owner.js';

export const INGEST_SERVICE = 'oi-ingest';
const MEMBER_PREFIX = 'ingest.member.';

export interface IngesterOptions {
  bus: Bus;
  ch: ClickHouse;
  partitions: number;
  ingestId?: string;
  leaseTtlMs?: number;
  batchSize?: number;
  batchMs?: number;
  /**
   * How often lag is sampled and written to `ingest_lag`; the holder of the OI_EVT consumer also
   * samples the actor hosts' placement then (`actor_placement`, `actor_hosts`).
   */
  lagIntervalMs?: number;
  /** Partitions and lease TTL of the actor hosts (defaults: `partitions`, `leaseTtlMs`). */
  actorPartitions?: number;
  actorLeaseTtlMs?: number;
  logger?: Logger;
  version?: string;
  /** Tier-3 content samples go here (the encrypted vault); ClickHouse only counts them. */
  contentStore?: ContentStore;
}

export interface ConsumerStatus extends IngestWorkerStats {
  consumer: string;
  stream: string;
  epoch: number;
  lag?: LagSample;
}

export interface IngesterStats {
  ingester: string;
  members: number;
  consumers: ConsumerStatus[];
  /** Counters since the process started, over every consumer it held (also those it gave up). */
  totals: Omit<IngestWorkerStats, 'lastError'>;
  rows: number;
  lost: number;
}

const TOTAL_KEYS = ['received', 'rows', 'duplicates', 'skipped', 'deadLettered', 'batches', 'retries'] as const;

function addStats(into: Omit<IngestWorkerStats, 'lastError'>, from: IngestWorkerStats): void {
  for (const k of TOTAL_KEYS) into[k] += from[k];
}

export interface Ingester {
  readonly id: string;
  held(): string[];
  stats(): IngesterStats;
  /** Samples lag now (the periodic loop does this too) and writes it to `ingest_lag`. */
  recordLag(): Promise<LagSample[]>;
  /** Samples the actor hosts' placement into ClickHouse (the periodic loop does this while holding OI_EVT). */
  recordPlacement(): Promise<void>;
  /** Inserts and acks what is buffered, releases every lease. */
  stop(): Promise<void>;
}

export function newIngestId(): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * An ingest process's share of the work: it announces itself with a member lease, takes the
 * consumer leases it ranks first for among live members (rendezvous), hands back the others,
 * and runs one IngestWorker per consumer it holds. A dead member's leases expire and its
 * consumers move to the survivors within about two lease TTLs.
 */
export async function startIngester(opts: IngesterOptions): Promise<Ingester> {
  const { bus, ch } = opts;
  const logger = opts.logger ?? silentLogger;
  const id = opts.ingestId ?? newIngestId();
  const ttl = opts.leaseTtlMs ?? 10_000;
  const interval = Math.max(50, Math.floor(ttl / 3));
  const batchSize = opts.batchSize ?? 2_000;
  const batchMs = opts.batchMs ?? 1_000;
  const sources = ingestSources(opts.partitions);
  const memberKey = `${MEMBER_PREFIX}${id}`;
  const leases = await LeaseStore.open(bus);
  const keeper = new LeaseKeeper({ store: leases, ttlMs: ttl, logger });
  const workers = new Map<string, IngestWorker>();
  /** Stops in progress: a source is taken again only after its previous worker has fully stopped. */
  const stopping = new Map<string, Promise<void>>();
  const pending = new Set<string>();
  const lastLag = new Map<string, LagSample>();
  let members: string[] = [id];
  let lost = 0;
  let closing = false;
  const retired = Object.fromEntries(TOTAL_KEYS.map((k) => [k, 0])) as Omit<IngestWorkerStats, 'lastError'>;

  const lose = (s: IngestSource, reason: string, from?: IngestWorker): void => {
    const w = workers.get(s.lease);
    if (!w || (from && w !== from)) return;
    workers.delete(s.lease);
    lost++;
    addStats(retired, w.stats);
    logger.warn({ consumer: s.durable, epoch: w.epoch, reason }, 'ingest consumer lost');
    keeper.forget(s.lease);
    stopping.set(
      s.lease,
      w.stop('abort').finally(() => stopping.delete(s.lease))
    );
  };
  const bySource = new Map(sources.map((s) => [s.lease, s]));
  keeper.on('lost', (key) => {
    const s = bySource.get(key);
    if (s) lose(s, 'lease lost');
  });

  const take = async (s: IngestSource): Promise<void> => {
    await stopping.get(s.lease);
    const lease = await keeper.acquire(s.lease, id);
    if (!lease) return;
    if (closing) {
      await keeper.release(s.lease);
      return;
    }
    try {
      // delivery restarts at the ack floor, in order: what the last owner held unacked comes first
      await rewindConsumer(bus.jsm, s.stream, s.durable);
    } catch (err) {
      await keeper.release(s.lease).catch(() => undefined);
      throw err;
    }
    const worker: IngestWorker = new IngestWorker({
      bus,
      ch,
      source: s,
      epoch: lease.epoch,
      holder: id,
      keeper,
      leases,
      batchSize,
      batchMs,
      logger,
      contentStore: opts.contentStore,
      onLost: (reason) => lose(s, reason, worker),
    });
    workers.set(s.lease, worker);
    try {
      await worker.start();
    } catch (err) {
      lose(s, `start failed: ${(err as Error).message}`, worker);
      throw err;
    }
    logger.info({ consumer: s.durable, epoch: lease.epoch }, 'ingest consumer acquired');
  };

  const give = async (s: IngestSource): Promise<void> => {
    const w = workers.get(s.lease);
    if (!w) return;
    await w.stop('drain');
    workers.delete(s.lease);
    addStats(retired, w.stats);
    await keeper.release(s.lease);
    logger.info({ consumer: s.durable, epoch: w.epoch }, 'ingest consumer handed back');
  };

  const readMembers = async (): Promise<string[]> => {
    const now = Date.now();
    const all = await leases.readAll(MEMBER_PREFIX);
    const live = [...all.entries()]
      .filter(([, l]) => l.holder !== '' && l.deadline > now)
      .map(([k]) => k.slice(MEMBER_PREFIX.length));
    return live.includes(id) ? live.sort() : [...live, id].sort();
  };

  const reconcile = async (): Promise<void> => {
    if (!keeper.isValid(memberKey) && !(await keeper.acquire(memberKey, id))) {
      logger.warn({ member: memberKey }, 'member lease held by another process with this id');
      return;
    }
    members = await readMembers();
    const work: Promise<void>[] = [];
    for (const s of sources) {
      const mine = preferredOwner(s.index, members) === id;
      if (!mine && workers.has(s.lease)) work.push(give(s));
      if (mine && !workers.has(s.lease) && !pending.has(s.lease)) {
        pending.add(s.lease);
        work.push(take(s).finally(() => pending.delete(s.lease)));
      }
    }
    const results = await Promise.allSettled(work);
    for (const r of results)
      if (r.status === 'rejected') logger.warn({ err: r.reason }, 'ingest reconcile step failed');
  };

  let tick: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    if (closing) return;
    tick = tick.then(reconcile).catch((err: unknown) => logger.warn({ err }, 'ingest reconcile failed; retrying'));
  }, interval);
  tick = reconcile().catch((err: unknown) => logger.warn({ err }, 'first ingest reconcile failed; retrying'));

  const recordLag = async (): Promise<LagSample[]> => {
    const held = [...workers.values()];
    const samples = await Promise.all(
      held.map((w) =>
        w.lag().then(
          (l) => ({ w, l }),
          (err: unknown) => {
            logger.warn({ err, consumer: w.source.durable }, 'lag read failed');
            return undefined;
          }
        )
      )
    );
    const ok = samples.filter((s): s is { w: IngestWorker; l: LagSample } => s !== undefined);
    for (const { w, l } of ok) lastLag.set(w.source.lease, l);
    const ts = new Date().toISOString();
    await ch.insert(
      'ingest_lag',
      ok.map(({ w, l }) => ({
        ts,
        ingester: id,
        consumer: l.consumer,
        stream: l.stream,
        epoch: w.epoch,
        pending: l.pending,
        ack_pending: l.ackPending,
        oldest_unacked_age_ms: l.oldestUnackedAgeMs,
        rows_inserted: w.stats.rows,
      }))
    );
    return ok.map((s) => s.l);
  };
  const samplePlacement = async (): Promise<void> => {
    await recordPlacement(bus, ch, {
      partitions: opts.actorPartitions ?? opts.partitions,
      leaseTtlMs: opts.actorLeaseTtlMs ?? ttl,
      sampler: id,
    });
  };
  // one sampler at a time: whoever holds the OI_EVT consumer
  const evtLease = sources.find((s) => s.stream === 'OI_EVT')!.lease;
  const lagTimer = setInterval(() => {
    recordLag().catch((err: unknown) => logger.warn({ err }, 'lag not recorded'));
    if (workers.has(evtLease))
      samplePlacement().catch((err: unknown) => logger.warn({ err }, 'placement not recorded'));
  }, opts.lagIntervalMs ?? 10_000);

  const stats = (): IngesterStats => {
    const consumers = [...workers.values()]
      .map((w) => {
        const lag = lastLag.get(w.source.lease);
        return {
          consumer: w.source.durable,
          stream: w.source.stream,
          epoch: w.epoch,
          ...w.stats,
          ...(lag ? { lag } : {}),
        };
      })
      .sort((a, b) => a.consumer.localeCompare(b.consumer));
    const totals = { ...retired };
    for (const w of workers.values()) addStats(totals, w.stats);
    return { ingester: id, members: members.length, consumers, totals, rows: totals.rows, lost };
  };

  const service: Service = await new Svcm(bus.nc).add({
    name: INGEST_SERVICE,
    version: opts.version ?? '0.1.0',
    description: 'OptiInfra ingest: OI_TEL, OI_REC, OI_DEC and OI_EVT into ClickHouse, exactly once',
    metadata: { ingester: id },
    statsHandler: () => Promise.resolve(stats()),
  });
  service.addEndpoint('stats', {
    subject: `oi.v1.ingest.${id}.stats`,
    handler: (_e, m) => m.respond(JSON.stringify(stats())),
  });

  return {
    id,
    held: () => [...workers.values()].map((w) => w.source.durable).sort(),
    stats,
    recordLag,
    recordPlacement: samplePlacement,
    stop: async () => {
      closing = true;
      clearInterval(timer);
      clearInterval(lagTimer);
      await tick;
      await Promise.all([...workers.values()].map((w) => give(w.source)));
      await Promise.all(stopping.values());
      await keeper.stop({ release: true });
      await service.stop();
    },
  };
}
