import { connectBus, defaultTopology, provision } from '../bus/index.js';
import { MemorySnapshotStore, PostgresSnapshotStore, startActorHost, workloadRouter } from '../actors/index.js';
import { gpuTelemetryV1 } from '../schemas/index.js';
import { migratePostgres, openPostgres } from '../stores/index.js';
import { startPlacement } from '../supervisor/index.js';
import { check, startNats, startPostgres } from '../testkit/index.js';
import { choiceFlag, intFlag, type BenchArgs } from './args.js';
import { collectGarbage, procCpuMs, procTreeCpuMs, selfCpuMs } from './machine.js';
import { drained } from './drained.js';
import { lossLogger } from './loss-log.js';
import { rawConsume } from './raw-consume.js';
import { addNote, addRow, perSecond, progress, ratio, whole } from './report.js';
import { buildFeed, publishFeed } from './telemetry-feed.js';
import { WINDOW_KINDS, WINDOW_LOGICS, WINDOW_SAMPLES } from './window-actors.js';

const STORES = ['memory', 'postgres', 'both'] as const;
type StoreKind = Exclude<(typeof STORES)[number], 'both'>;

interface ActorsOptions {
  workloads: number;
  samples: number;
  partitions: number;
  ttlMs: number;
}

/**
 * `actors`: W workloads × 4 agent-shaped kinds on one in-process host, fed a pre-published
 * backlog of one GPU sample per workload per second of event time. Memory per actor once all
 * 4·W are active; messages per CPU-second of this process beside a bare fetch+ack consumer
 * over the same messages.
 */
export async function benchActors(args: BenchArgs): Promise<void> {
  const opts: ActorsOptions = {
    workloads: intFlag(args, 'workloads', 10_000),
    samples: intFlag(args, 'samples', 4, 2, 3_600),
    partitions: intFlag(args, 'partitions', 16, 1, 1024),
    ttlMs: intFlag(args, 'ttl-ms', 5_000, 200, 600_000),
  };
  const which = choiceFlag(args, 'store', STORES, 'both');
  const stores: StoreKind[] = which === 'both' ? ['memory', 'postgres'] : [which];
  for (const store of stores) await runActors(store, opts);
  addNote(
    `actors: ${opts.workloads.toLocaleString('en-US')} workloads × ${WINDOW_KINDS.length} kinds, ${opts.samples} ` +
      `sample(s) per workload (1/s of event time) pre-published, P=${opts.partitions}; window ${WINDOW_SAMPLES} ` +
      `samples preallocated. Baseline: a bare fetch+ack consumer per partition, nothing decoded.`
  );
}

async function runActors(storeKind: StoreKind, o: ActorsOptions): Promise<void> {
  const total = o.workloads * o.samples;
  const label = `actors[${storeKind}]`;
  await using nats = await startNats();
  await using bus = await connectBus({ servers: nats.url, name: 'bench-actors' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: o.partitions }));
  await using pg = storeKind === 'postgres' ? await startPostgres() : undefined;
  // activation loads every actor of a round at once: on a loaded machine the pool's default 5 s
  // wait for a connection runs out, the round fails and the partition is retaken, forever
  const db = pg ? openPostgres({ url: pg.url, applicationName: 'bench-actors', connectTimeoutMs: 120_000 }) : undefined;
  if (db) await migratePostgres(db);
  try {
    progress(
      `${label}: building ${whole(total)} validated GPU samples (${whole(o.workloads)} workloads × ${o.samples})…`
    );
    let feed = buildFeed(o.workloads, o.samples);
    const pubMs = await publishFeed(bus, feed, (n) => progress(`${label}: published ${whole(n)}/${whole(total)}`));
    feed = [];
    progress(`${label}: backlog of ${whole(total)} published in ${(pubMs / 1000).toFixed(1)} s`);

    const gcHow = collectGarbage();
    const mem0 = process.memoryUsage();
    const cpu0 = selfCpuMs();
    const pgCpu0 = pg ? procTreeCpuMs(pg.pid) : 0;
    const natsCpu0 = procCpuMs(nats.pid);
    const t0 = performance.now();
    const placement = await startPlacement({
      bus,
      partitions: o.partitions,
      leaseTtlMs: o.ttlMs,
      candidate: 'bench-supervisor',
    });
    const losses: string[] = [];
    const giveUp = new AbortController();
    const logger = lossLogger((p, reason) => {
      losses.push(reason);
      progress(`${label}: partition ${p} lost: ${reason}`);
      if (losses.length === 4 * o.partitions) {
        giveUp.abort(new Error(`${label}: ${losses.length} partition losses, the host is not making progress`));
      }
    });
    const host = await startActorHost({
      logger,
      bus,
      store: db ? new PostgresSnapshotStore(db) : new MemorySnapshotStore(),
      logics: WINDOW_LOGICS,
      router: workloadRouter(WINDOW_KINDS),
      accept: [gpuTelemetryV1],
      hostId: 'bench-host',
      leaseTtlMs: o.ttlMs,
      // keep every actor resident until memory is read
      idleMs: 3_600_000,
    });
    let last = 0;
    let lastT = t0;
    let firstAt: number | undefined;
    // the steady phase starts once every actor exists (each workload's first sample is being applied)
    let active: { cpuMs: number; processed: number } | undefined;
    // stats() walks every actor: poll it slowly so the bench's own CPU stays out of the figures
    const first = setInterval(() => {
      if (host.held().length === o.partitions) firstAt ??= performance.now();
      const s = host.stats();
      if (s.actors >= WINDOW_KINDS.length * o.workloads) active ??= { cpuMs: selfCpuMs(), processed: s.processed };
      if (firstAt !== undefined && active) clearInterval(first);
    }, 100);
    const ticker = setInterval(() => {
      const s = host.stats();
      const now = performance.now();
      progress(
        `${label}: ${whole(s.processed)}/${whole(total)} messages, ${whole(s.actors)} actors, ` +
          `${perSecond(((s.processed - last) * 1000) / (now - lastT))}, partitions ${s.partitions.length}, lost ${s.lost}`
      );
      last = s.processed;
      lastT = now;
    }, 5_000);
    try {
      // every message acked; a lost partition's worker takes its count along, so the consumers are the truth
      await check(() => drained(bus, o.partitions), 5 * 60_000, {
        name: `${label}: all messages processed`,
        intervalMs: 100,
        signal: giveUp.signal,
      });
    } finally {
      clearInterval(ticker);
      clearInterval(first);
    }
    const doneAt = performance.now();
    const wallMs = doneAt - t0;
    const flowMs = doneAt - (firstAt ?? t0);
    const cpuMs = selfCpuMs() - cpu0;
    const pgCpuMs = pg ? procTreeCpuMs(pg.pid) - pgCpu0 : 0;
    const natsCpuMs = procCpuMs(nats.pid) - natsCpu0;
    const stats = host.stats();
    collectGarbage();
    const mem1 = process.memoryUsage();
    await host.stop();
    await placement.stop();

    progress(`${label}: host done; raw fetch+ack baseline over the same ${whole(total)} messages…`);
    const raw = await rawConsume(bus, o.partitions);
    if (raw.messages !== total) throw new Error(`${label}: raw consumer read ${raw.messages}, expected ${total}`);

    const oursRate = (total * 1000) / cpuMs;
    const rawRate = (raw.messages * 1000) / raw.cpuMs;
    const steady = active ?? { cpuMs: cpu0, processed: 0 };
    const steadyRate = ((total - steady.processed) * 1000) / (cpu0 + cpuMs - steady.cpuMs);
    const heapPerActor = (mem1.heapUsed - mem0.heapUsed) / stats.actors;
    const rssPerActor = (mem1.rss - mem0.rss) / stats.actors;
    addRow({
      bench: `${label}: msgs per CPU-s, all actors active`,
      ours: perSecond(steadyRate),
      baseline: perSecond(rawRate),
      ratio: ratio(steadyRate, rawRate),
    });
    addRow({
      bench: `${label}: msgs per CPU-s, with activation`,
      ours: perSecond(oursRate),
      baseline: perSecond(rawRate),
      ratio: ratio(oursRate, rawRate),
    });
    addRow({
      bench: `${label}: msgs per wall-s (all leases held)`,
      ours: perSecond((total * 1000) / flowMs),
      baseline: perSecond((raw.messages * 1000) / raw.wallMs),
      ratio: ratio(total / flowMs, raw.messages / raw.wallMs),
    });
    addNote(
      `${label}: ${whole(stats.actors)} actors active, ${whole(total)} messages (${whole(WINDOW_KINDS.length * total)} turns) ` +
        `in ${(wallMs / 1000).toFixed(1)} s wall (${((wallMs - flowMs) / 1000).toFixed(1)} s of it before all leases were held), ${(cpuMs / 1000).toFixed(1)} s CPU of this process, ${(natsCpuMs / 1000).toFixed(1)} s of nats-server` +
        (pg ? `, ${(pgCpuMs / 1000).toFixed(1)} s of PostgreSQL` : '') +
        `; memory per actor: heap ${whole(heapPerActor)} B, RSS ${rssPerActor > 0 ? `${whole(rssPerActor)} B` : 'n/a (fell: pages freed by an earlier run were reused)'} (gc via ${gcHow}` +
        (storeKind === 'memory' ? '; includes the memory store’s JSON copy of each snapshot)' : ')') +
        `; steady phase: ${whole(total - steady.processed)} messages in ` +
        `${((cpu0 + cpuMs - steady.cpuMs) / 1000).toFixed(1)} CPU-s` +
        `; restarts ${stats.restarts}; partitions lost ${losses.length}` +
        (losses.length ? ` (their rounds replayed, CPU included): ${[...new Set(losses)].slice(0, 3).join(' | ')}` : '')
    );
  } finally {
    await db?.close();
  }
}
