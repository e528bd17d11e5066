import { connectBus, defaultTopology, provision } from '../bus/index.js';
import { migratePostgres, openPostgres } from '../stores/index.js';
import { LeaseStore, startPlacement } from '../supervisor/index.js';
import { check, startNats, startOiProcess, startPostgres, type OiProcess } from '../testkit/index.js';
import { intFlag, type BenchArgs } from './args.js';
import { allHeldBy, confirmHeldBy, heldPartitions, waitSettled } from './placement-watch.js';
import { addNote, addRow, progress, whole } from './report.js';

const HOSTS = 3;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * `failover`: three real host processes under an in-process placement; each round SIGKILLs one
 * and times how long until every partition's lease is live again in a survivor's hands, then
 * restarts it (fresh host id) and waits for placement to settle. The promise: 2 × lease TTL.
 */
export async function benchFailover(args: BenchArgs): Promise<void> {
  const rounds = intFlag(args, 'rounds', 10, 1, 1_000);
  const partitions = intFlag(args, 'partitions', 16, 1, 1024);
  const ttlMs = intFlag(args, 'ttl-ms', 2_000, 200, 600_000);
  await using nats = await startNats();
  await using pg = await startPostgres();
  const db = openPostgres({ url: pg.url });
  await migratePostgres(db);
  await db.close();
  await using bus = await connectBus({ servers: nats.url, name: 'bench-failover' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions, ackWaitMs: 2 * ttlMs }));
  const placement = await startPlacement({ bus, partitions, leaseTtlMs: ttlMs, candidate: 'bench-supervisor' });
  const leases = await LeaseStore.open(bus);
  const env = {
    OI_NATS_URL: nats.url,
    OI_PG_URL: pg.url,
    OI_PARTITIONS: String(partitions),
    OI_LEASE_TTL_MS: String(ttlMs),
    OI_HOST_ACTORS: 'probe',
    OI_LOG_LEVEL: 'warn',
  };
  const hosts = new Map<string, OiProcess>();
  const slots: string[] = [];
  const start = (id: string): void => {
    hosts.set(id, startOiProcess('host', { ...env, OI_HOST_ID: id }));
  };
  const times: number[] = [];
  try {
    progress(`failover: starting ${HOSTS} host processes, P=${partitions}, lease TTL ${ttlMs} ms…`);
    for (let i = 0; i < HOSTS; i++) {
      slots.push(`fo-h${i}`);
      start(slots[i]!);
    }
    await waitSettled(bus, partitions, ttlMs, slots, 120_000);
    for (let r = 0; r < rounds; r++) {
      const slot = r % HOSTS;
      const victimId = slots[slot]!;
      const victim = hosts.get(victimId)!;
      const survivors = new Set(slots.filter((h) => h !== victimId));
      const lost = await heldPartitions(leases, victimId);
      const killedAt = Date.now();
      victim.signal('SIGKILL');
      await check(() => allHeldBy(leases, partitions, survivors), 20 * ttlMs, {
        name: `round ${r + 1}: partitions of ${victimId} held by survivors`,
        intervalMs: 25,
      });
      const ms = Date.now() - killedAt;
      if (!(await confirmHeldBy(bus, partitions, ttlMs, survivors))) {
        throw new Error(`round ${r + 1}: readPlacementState disagrees with the lease reads`);
      }
      times.push(ms);
      await victim.exited;
      hosts.delete(victimId);
      progress(
        `failover: round ${r + 1}/${rounds}: killed ${victimId} (${lost.length} partitions), all ${partitions} ` +
          `live again after ${whole(ms)} ms (${(ms / ttlMs).toFixed(2)} × TTL)`
      );
      slots[slot] = `fo-h${slot}-r${r + 1}`;
      start(slots[slot]);
      await waitSettled(bus, partitions, ttlMs, slots, 120_000);
    }
  } finally {
    await Promise.all([...hosts.values()].map((h) => h.stop(3_000)));
    await placement.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const [p50, p99, max] = [percentile(sorted, 0.5), percentile(sorted, 0.99), sorted[sorted.length - 1]!];
  progress(
    `failover: N=${times.length} p50 ${whole(p50)} ms, p99 ${whole(p99)} ms, max ${whole(max)} ms; ` +
      `TTL ${whole(ttlMs)} ms, promise 2 × TTL = ${whole(2 * ttlMs)} ms`
  );
  for (const [name, v] of [
    ['p50', p50],
    ['p99', p99],
    ['max', max],
  ] as const) {
    addRow({
      bench: `failover ${name} (N=${times.length}, P=${partitions})`,
      ours: `${whole(v)} ms`,
      baseline: `${whole(2 * ttlMs)} ms`,
      ratio: (v / (2 * ttlMs)).toFixed(2),
    });
  }
  addNote(
    `failover: SIGKILL of 1 of ${HOSTS} host processes until every partition lease is live in a survivor's hands; ` +
      `baseline = the promise 2 × TTL (TTL ${whole(ttlMs)} ms). All times: ${times.map((t) => whole(t)).join(', ')} ms`
  );
}
