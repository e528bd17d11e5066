import {
  KV_BUCKETS,
  decisionV1,
  decisionV2,
  decodeEnvelope,
  partitionOf,
  proposalV1,
  subjects,
  type Decision,
  type Proposal,
} from '../schemas/index.js';
import { connectBus, defaultTopology, makeEnvelope, provision, publishEnvelope } from '../bus/index.js';
import { createLogger } from '../config/index.js';
import { migratePostgres, openPostgres } from '../stores/index.js';
import { startArbitration } from '../supervisor/index.js';
import { check, startNats, startPostgres } from '../testkit/index.js';
import { intFlag, type BenchArgs } from './args.js';
import { percentile } from './failover-bench.js';
import { addNote, addRow, perSecond, progress, ratio } from './report.js';

const PARTITIONS = 64;

function proposalFor(workload: string, i: number, nowMs: number): Proposal {
  return proposalV1.data.parse({
    proposal_id: `bench-${workload}-${i}`,
    agent: 'performance',
    workload,
    resource: 'replicas',
    action: { kind: 'scale_replicas', from: 4, to: 5 },
    target: { workload },
    expected_impact: { usd_per_month: 1_200, slo_attainment_delta: 0.02 },
    confidence: 0.8,
    risk: 'low',
    priority_class: 'slo',
    evidence: [{ metric: 'ttft p95 / SLO', value: 1.3 }],
    rollback_plan: { action: { kind: 'scale_replicas', from: 5, to: 4 }, verify_window_s: 60 },
    epoch: 1,
    expires_at: new Date(nowMs + 3_600_000).toISOString(),
    explanation: 'TTFT p95 above the SLO for 10 minutes',
  });
}

/**
 * `decisions`: the arbitration term of the supervisor (in-process, wall clock, 1 ms window)
 * over `--workloads` registered workloads in auto mode, one proposal each, published as fast
 * as the bus takes them. Figures: decisions/s from first publish to last decision on OI_DEC,
 * and per-proposal latency publish → decision. Baseline: sequential KV compare-and-swap on
 * the same server in the same run (every lease renewal is one).
 */
export async function benchDecisions(args: BenchArgs): Promise<void> {
  const workloads = intFlag(args, 'workloads', 10_000, 1, 200_000);
  const casOps = intFlag(args, 'cas-ops', 5_000, 100, 1_000_000);
  await using nats = await startNats();
  await using pg = await startPostgres();
  const db = openPostgres({ url: pg.url, max: 8 });
  await migratePostgres(db);
  await using bus = await connectBus({ servers: nats.url, name: 'bench-decisions' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: PARTITIONS }));

  progress(`decisions: registering ${workloads} workloads in auto mode…`);
  await db.query(
    `INSERT INTO workloads (workload, spec, mode, owner, revision, registered_at, updated_at, last_command)
     SELECT 'wl-' || g, jsonb_build_object('workload', 'wl-' || g, 'name', 'bench', 'model', 'm', 'engine', 'vllm',
       'mode', 'auto', 'privacy_tier', 1, 'slo', jsonb_build_object('attainment', 0.99),
       'constraints', jsonb_build_object('spot_allowed', false), 'labels', '{}'::jsonb), 'auto', NULL, 1, now(), now(), 'bench'
     FROM generate_series(1, $1) g`,
    [workloads]
  );
  const arbitration = await startArbitration({
    bus,
    db,
    candidate: 'bench-supervisor',
    leaseTtlMs: 10_000,
    windowMs: 1,
    lockTtlMs: 900_000,
    approvalTtlMs: 86_400_000,
    clock: 'wall',
    tickMs: 5,
    ackWaitMs: 30_000,
    // OI_LOG_LEVEL=debug shows each proposal batch: size, arbitration and apply times
    ...(process.env.OI_LOG_LEVEL
      ? { logger: createLogger('bench-decisions', { level: process.env.OI_LOG_LEVEL }) }
      : {}),
  });
  try {
    await check(() => arbitration.term()?.book.size === workloads, 60_000, { name: 'arbitration term loaded' });
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let last = 0;
    const sub = bus.nc.subscribe('oi.v1.dec.*', {
      callback: (_err, m) => {
        const d = decodeEnvelope(m.data, [decisionV1, decisionV2]);
        if (!d.ok) return;
        const t0 = sentAt.get((d.envelope.data as Decision).proposal_id);
        if (t0 === undefined) return;
        last = performance.now();
        latencies.push(last - t0);
      },
    });
    progress(`decisions: publishing ${workloads} proposals…`);
    const first = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 1; i <= workloads; i++) {
      const wl = `wl-${i}`;
      const p = proposalFor(wl, i, Date.now());
      const env = makeEnvelope(proposalV1, p, { source: 'bench-agent' });
      sentAt.set(p.proposal_id, performance.now());
      pending.push(
        publishEnvelope(bus.js, subjects.rec('performance', wl), env, {
          headers: { 'Oi-Partition': String(partitionOf(wl, PARTITIONS)), 'Oi-Epoch': '1' },
        })
      );
      if (pending.length >= 512) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await check(() => latencies.length === workloads, 600_000, { name: 'every decision on OI_DEC', intervalMs: 50 });
    sub.unsubscribe();
    const decisionsPerS = (workloads * 1000) / (last - first);
    latencies.sort((a, b) => a - b);

    progress(`decisions: ${casOps} sequential KV compare-and-swap writes…`);
    const kv = await bus.kvm.open(KV_BUCKETS.leases);
    let rev = await kv.put('bench.cas', '0');
    const cas: number[] = [];
    const casStart = performance.now();
    for (let i = 1; i <= casOps; i++) {
      const t = performance.now();
      rev = await kv.update('bench.cas', String(i), rev);
      cas.push(performance.now() - t);
    }
    const casPerS = (casOps * 1000) / (performance.now() - casStart);
    cas.sort((a, b) => a - b);

    const ms = (n: number): string => `${n.toFixed(1)} ms`;
    addRow({
      bench: `decisions/s (${workloads} workloads)`,
      ours: perSecond(decisionsPerS),
      baseline: perSecond(casPerS),
      ratio: ratio(decisionsPerS, casPerS),
    });
    addRow({
      bench: 'decision p99 (publish → OI_DEC)',
      ours: ms(percentile(latencies, 0.99)),
      baseline: ms(percentile(cas, 0.99)),
      ratio: ratio(percentile(latencies, 0.99), percentile(cas, 0.99)),
    });
    addNote(
      `decisions: baseline = sequential KV CAS (kv.update with revision) on the same nats-server; decision ` +
        `p50 ${ms(percentile(latencies, 0.5))}, CAS p50 ${ms(percentile(cas, 0.5))}. Proposals are handled in ` +
        `batches (whatever queued since the last one, ≤ 1,024): one insert per table and one transaction per ` +
        `batch (proposals, decisions, audit, arbitration state), its OI_DEC and OI_EVT publishes pipelined behind.`
    );
  } finally {
    await arbitration.stop();
    await db.close();
  }
}
