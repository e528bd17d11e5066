import { connectBus, defaultTopology, provision, type Bus } from '../bus/index.js';
import { migratePostgres, openPostgres } from '../stores/index.js';
import { startPlacement } from '../supervisor/index.js';
import {
  check,
  startNats,
  startOiProcess,
  startPostgres,
  type OiProcess,
  type PostgresHandle,
} from '../testkit/index.js';
import { intFlag, intListFlag, type BenchArgs } from './args.js';
import { machineInfo, procCpuMs, procTreeCpuMs } from './machine.js';
import { drained } from './drained.js';
import { waitSettled } from './placement-watch.js';
import { addNote, addRow, perSecond, progress, ratio, whole } from './report.js';
import { buildFeed, publishFeed } from './telemetry-feed.js';

interface ScalingOptions {
  workloads: number;
  samples: number;
  partitions: number;
  ttlMs: number;
}

interface HostFigures {
  id: string;
  processed: number;
  /** Partitions the host lost during the load (a moved partition's count leaves with it). */
  lost: number;
  cpuMs: number;
}

interface RunFigures {
  hosts: HostFigures[];
  messages: number;
  publishMs: number;
  drainMs: number;
  pgCpuMs: number;
  natsCpuMs: number;
}

/**
 * `scaling`: the same pre-built backlog published to 1, 2 and 4 real host processes
 * (`optiinfra serve host`, probe actors, PostgreSQL snapshots) once placement has settled.
 * Per host: messages per CPU-second from /proc/<pid>/stat; in all: messages per wall-second
 * from the first publish until every partition consumer is drained.
 */
export async function benchScaling(args: BenchArgs): Promise<void> {
  const counts = intListFlag(args, 'hosts', [1, 2, 4], 1, 16);
  const o: ScalingOptions = {
    workloads: intFlag(args, 'workloads', 2_000),
    samples: intFlag(args, 'samples', 10, 1, 3_600),
    partitions: intFlag(args, 'partitions', 16, 1, 1024),
    ttlMs: intFlag(args, 'ttl-ms', 5_000, 200, 600_000),
  };
  const { nproc } = machineInfo();
  await using pg = await startPostgres();
  const runs: Array<{ n: number; fig: RunFigures }> = [];
  for (const n of counts) runs.push({ n, fig: await runScaling(pg, n, o) });
  const base = runs[0]!;
  const perCpu = (f: RunFigures): number => (f.messages * 1000) / f.hosts.reduce((a, h) => a + h.cpuMs, 0);
  const throughput = (f: RunFigures): number => (f.messages * 1000) / f.drainMs;
  for (const { n, fig } of runs) {
    addRow({
      bench: `scaling ${n} host(s): msgs per host CPU-s`,
      ours: perSecond(perCpu(fig)),
      baseline: perSecond(perCpu(base.fig)),
      ratio: ratio(perCpu(fig), perCpu(base.fig)),
    });
    addRow({
      bench: `scaling ${n} host(s): total msgs per wall-s`,
      ours: perSecond(throughput(fig)),
      baseline: perSecond(throughput(base.fig)),
      ratio: ratio(throughput(fig), throughput(base.fig)),
    });
    addNote(
      `scaling ${n} host(s) on nproc ${nproc}: ${whole(fig.messages)} messages drained in ${(fig.drainMs / 1000).toFixed(1)} s ` +
        `(published in ${(fig.publishMs / 1000).toFixed(1)} s); per host ` +
        fig.hosts
          .map(
            (h) =>
              `${h.id} ${whole(h.processed)} msgs / ${(h.cpuMs / 1000).toFixed(1)} CPU-s = ${perSecond((h.processed * 1000) / h.cpuMs)}` +
              (h.lost ? ` (lost ${h.lost} partitions)` : '')
          )
          .join(', ') +
        `; nats-server ${(fig.natsCpuMs / 1000).toFixed(1)} CPU-s, PostgreSQL ${(fig.pgCpuMs / 1000).toFixed(1)} CPU-s`
    );
  }
  addNote(
    `scaling: ${whole(o.workloads)} workloads × ${o.samples} samples published as fast as acks allow after placement settled, ` +
      `P=${o.partitions}, probe actors (one acked effect per message), baseline = the ${base.n}-host run; ` +
      `nproc ${nproc}: hosts beyond ${nproc} share cores with each other, nats-server, PostgreSQL and the publisher`
  );
}

async function runScaling(pg: PostgresHandle, n: number, o: ScalingOptions): Promise<RunFigures> {
  const label = `scaling[${n}]`;
  await using nats = await startNats();
  await using db = await pg.createDatabase('bench_scaling');
  const conn = openPostgres({ url: db.url });
  await migratePostgres(conn);
  await conn.close();
  await using bus = await connectBus({ servers: nats.url, name: 'bench-scaling' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: o.partitions, ackWaitMs: 2 * o.ttlMs }));
  const placement = await startPlacement({
    bus,
    partitions: o.partitions,
    leaseTtlMs: o.ttlMs,
    candidate: 'bench-supervisor',
  });
  const env = {
    OI_NATS_URL: nats.url,
    OI_PG_URL: db.url,
    OI_PARTITIONS: String(o.partitions),
    OI_LEASE_TTL_MS: String(o.ttlMs),
    OI_HOST_ACTORS: 'probe',
    OI_LOG_LEVEL: 'warn',
  };
  const ids = Array.from({ length: n }, (_, i) => `sc${n}-h${i}`);
  const hosts: OiProcess[] = [];
  try {
    progress(`${label}: starting ${n} host process(es)…`);
    for (const id of ids) hosts.push(startOiProcess('host', { ...env, OI_HOST_ID: id }));
    await waitSettled(bus, o.partitions, o.ttlMs, ids, 120_000);
    const feed = buildFeed(o.workloads, o.samples);
    const before = await hostStats(bus, ids);
    const cpu0 = hosts.map((h) => procCpuMs(h.pid));
    const pgCpu0 = procTreeCpuMs(pg.pid);
    const natsCpu0 = procCpuMs(nats.pid);
    progress(`${label}: settled; publishing ${whole(feed.length)} messages…`);
    const t0 = performance.now();
    const publishMs = await publishFeed(bus, feed);
    await check(() => drained(bus, o.partitions), 15 * 60_000, {
      name: `${label}: consumers drained`,
      intervalMs: 100,
    });
    const drainMs = performance.now() - t0;
    const cpu1 = hosts.map((h) => procCpuMs(h.pid));
    const pgCpuMs = procTreeCpuMs(pg.pid) - pgCpu0;
    const natsCpuMs = procCpuMs(nats.pid) - natsCpu0;
    const after = await hostStats(bus, ids);
    const fig: RunFigures = {
      hosts: ids.map((id, i) => ({
        id,
        processed: after[i]!.processed - before[i]!.processed,
        lost: after[i]!.lost - before[i]!.lost,
        cpuMs: cpu1[i]! - cpu0[i]!,
      })),
      messages: feed.length,
      publishMs,
      drainMs,
      pgCpuMs,
      natsCpuMs,
    };
    progress(
      `${label}: ${whole(feed.length)} drained in ${(drainMs / 1000).toFixed(1)} s = ${perSecond((feed.length * 1000) / drainMs)}; ` +
        fig.hosts.map((h) => `${h.id}: ${whole(h.processed)} msgs, ${(h.cpuMs / 1000).toFixed(1)} CPU-s`).join('; ')
    );
    return fig;
  } finally {
    await Promise.all(hosts.map((h) => h.stop(5_000)));
    await placement.stop();
  }
}

/** Each host's counters, from its `oi.v1.host.<id>.stats` endpoint. */
async function hostStats(bus: Bus, ids: readonly string[]): Promise<Array<{ processed: number; lost: number }>> {
  return Promise.all(
    ids.map(async (id) => {
      const reply = await bus.nc.request(`oi.v1.host.${id}.stats`, undefined, { timeout: 5_000 });
      return reply.json<{ processed: number; lost: number }>();
    })
  );
}
