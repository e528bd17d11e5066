import { histogramQuantile, type Bucket } from '../gpu-edge/index.js';
import { FleetSim, buildInstanceTypes, parseFleetSpec, type FleetInterval } from '../sim/index.js';
import { buildOffers } from './capacity.js';
import { meteredControl } from './control-meter.js';
import type { MissionConfig } from './mission-config.js';
import type { MissionResult, PolicyResult, SavingsBySource, SeriesPoint, TraceReport } from './mission-result.js';
import { loadMissionTrace } from './mission-trace.js';
import { offerKey, type MissionContext, type Offer, type PolicyEntry } from './policy.js';
import { optiinfra } from './policies/optiinfra.js';
import { oracle } from './policies/oracle.js';
import { reactiveQueue } from './policies/reactive-queue.js';
import { saturation } from './policies/saturation.js';
import { staticPeak } from './policies/static-peak.js';
import { readReplicas } from './replica-metrics.js';

/** The policies the field uses today, and the bound. OptiInfra joins through `policies`. */
export const BUILTIN_POLICIES: readonly PolicyEntry[] = [staticPeak, reactiveQueue, saturation, oracle];

/** What `bench mission` runs: the built-ins and OptiInfra (real processes over real servers). */
export const MISSION_POLICIES: readonly PolicyEntry[] = [...BUILTIN_POLICIES, optiinfra];

export interface MissionProgress {
  trace: string;
  traceIndex: number;
  traces: number;
  policy: string;
  policyIndex: number;
  policies: number;
  tSec: number;
  durationSec: number;
}

export interface MissionOptions {
  /** The first `short.windowSec` of every trace, with a smaller calibration. */
  short?: boolean;
  /** Default: the config's. */
  seed?: number;
  /** Default: `BUILTIN_POLICIES`; static-peak is the reference of the savings columns. */
  policies?: readonly PolicyEntry[];
  /** Trace names to run; default all. */
  traces?: readonly string[];
  onProgress?: (p: MissionProgress) => void;
}

interface Replay {
  result: PolicyResult;
  series: SeriesPoint[];
  /** Replica-seconds by offer key, for the savings breakdown. */
  replicaSec: Map<string, number>;
}

/** Instance-type prices by offer key, for every type the catalog sells (a policy may buy any). */
function priceBook(): Map<string, { usdPerHour: number; onDemandUsdPerHour: number; gpuId: string }> {
  const book = new Map<string, { usdPerHour: number; onDemandUsdPerHour: number; gpuId: string }>();
  for (const t of buildInstanceTypes()) {
    const od = t.prices.on_demand?.usdPerHour ?? 0;
    for (const [option, q] of Object.entries(t.prices)) {
      book.set(`${t.id}/${option}`, { usdPerHour: q.usdPerHour, onDemandUsdPerHour: od, gpuId: t.gpuId });
    }
  }
  return book;
}

function mergeBuckets(lists: Iterable<Bucket[]>): Bucket[] {
  const byLe = new Map<number, number>();
  for (const list of lists) for (const b of list) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

async function replay(
  ctx: MissionContext,
  entry: PolicyEntry,
  seed: number,
  onTick: (tSec: number) => void
): Promise<Replay> {
  const { config, trace } = ctx;
  const policy = await entry.create(ctx);
  const spec = parseFleetSpec({
    workload: `mission-${trace.spec.name}`,
    seed,
    telemetryIntervalSec: config.telemetryIntervalSec,
    routing: config.routing,
    slo: { ttftSec: config.slo.ttftSec, tpotSec: config.slo.tpotSec },
    cloud: policy.ignoresInterruptions ? { spotInterruptionsPerHour: 0 } : {},
    replicas: policy.initialFleet().map((r, i) => ({
      node: `${policy.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${i}`,
      instanceType: r.instanceType,
      purchaseOption: r.purchaseOption,
      model: config.model,
      engine: { maxModelLen: trace.spec.maxModelLen },
    })),
  });
  const sim = await FleetSim.create(spec);
  // billing before second 0 is the simulator's warm-up (every initial replica serves at 0): not counted
  const warmupUsd = (await sim.cloud.costSoFar()).totalUsd;
  const metered = meteredControl(sim);
  const prices = priceBook();
  const series: SeriesPoint[] = [];
  const replicaSec = new Map<string, number>();
  const lastPreemptions = new Map<string, number>();
  const lastTpot = new Map<string, Bucket[]>();
  let held = sim.replicas();
  let prevJudged = 0;
  let prevInSlo = 0;
  let peakReplicas = held.length;
  const onInterval = async (i: FleetInterval): Promise<void> => {
    for (const r of i.replicas) replicaSec.set(offerKey(r), (replicaSec.get(offerKey(r)) ?? 0) + r.billedSec);
    const readings = readReplicas(i);
    for (const r of readings) {
      lastPreemptions.set(r.node, r.preemptionsTotal);
      lastTpot.set(r.node, r.tpotBuckets);
    }
    const judged = i.summary.requestsDone + i.summary.dropped;
    const point: SeriesPoint = {
      tSec: i.tSec,
      replicas: {},
      draining: 0,
      usdPerHour: 0,
      sloAttainment: i.summary.sloAttainment,
      sloAttainmentInterval: judged > prevJudged ? (i.summary.requestsInSlo - prevInSlo) / (judged - prevJudged) : null,
      kvUsageMean: readings.length ? readings.reduce((a, r) => a + r.kvUsage, 0) / readings.length : 0,
      waiting: readings.reduce((a, r) => a + r.waiting, 0),
    };
    prevJudged = judged;
    prevInSlo = i.summary.requestsInSlo;
    await policy.onInterval(i, metered.control);
    held = sim.replicas();
    for (const r of held) {
      point.usdPerHour += prices.get(offerKey(r))?.usdPerHour ?? 0;
      if (r.state === 'draining') point.draining++;
      else point.replicas[offerKey(r)] = (point.replicas[offerKey(r)] ?? 0) + 1;
    }
    peakReplicas = Math.max(peakReplicas, held.length - point.draining);
    series.push(point);
    onTick(i.tSec);
  };
  let summary: Awaited<ReturnType<FleetSim['run']>>;
  try {
    await policy.attach?.(sim);
    summary = await sim.run(trace.requests, onInterval);
  } finally {
    await policy.detach?.();
  }
  const report = policy.report?.() ?? { conflicts: 0, rollbacks: 0 };
  const tpot = histogramQuantile(0.99, mergeBuckets(lastTpot.values()));
  const result: PolicyResult = {
    trace: trace.spec.name,
    policy: policy.name,
    requests: trace.requests.length,
    requestsJudged: summary.requestsDone + summary.dropped,
    dropped: summary.dropped,
    costUsd: summary.costUsd - warmupUsd,
    savingsVsStaticPeakUsd: null,
    savingsBySource: null,
    sloAttainment: summary.sloAttainment,
    ttftP50Sec: summary.ttftP50Sec,
    ttftP99Sec: summary.ttftP99Sec,
    tpotP99Sec: tpot,
    preemptions: [...lastPreemptions.values()].reduce((a, n) => a + n, 0),
    spotInterruptions: summary.interruptions,
    retries: summary.retries,
    decisions: report.decisions ?? metered.calls(),
    conflicts: report.conflicts,
    rollbacks: report.rollbacks,
    peakReplicas,
    replicaHours: Object.fromEntries([...replicaSec].sort().map(([k, s]) => [k, s / 3600])),
    extras: {},
  };
  Object.assign(result.extras, report.extras ?? {});
  if (report.log) result.log = report.log;
  if (report.engineTuningUsd !== undefined) result.extras.engineTuningUsd = report.engineTuningUsd;
  if ('plan' in policy && typeof (policy.plan as { boundUsd?: unknown }).boundUsd === 'number') {
    result.extras.plannedBoundUsd = (policy.plan as { boundUsd: number }).boundUsd;
  }
  return { result, series, replicaSec };
}

/**
 * Splits (static-peak cost − policy cost) by source, from replica-seconds held: capacity timing at
 * the baseline's on-demand price per unit of capacity, GPU type (other types' capacity per dollar
 * at on-demand prices), purchase option (their price below on-demand), engine tuning as the policy
 * reports it, and the billing the replica-seconds do not show.
 */
export function attributeSavings(
  reference: Replay,
  run: Replay,
  baseline: Offer,
  offers: readonly Offer[],
  engineTuningUsd = 0
): SavingsBySource {
  const book = priceBook();
  const capacityOf = (key: string): number =>
    offers.find((o) => offerKey(o) === key)?.capacityPerSec ?? baseline.capacityPerSec;
  const od = baseline.usdPerHour;
  let refSec = 0;
  for (const s of reference.replicaSec.values()) refSec += s;
  let equivalentSec = 0;
  let gpuType = 0;
  let purchaseOption = 0;
  for (const [key, sec] of run.replicaSec) {
    const p = book.get(key);
    const ratio = capacityOf(key) / baseline.capacityPerSec;
    equivalentSec += sec * ratio;
    gpuType += (sec * (ratio * od - (p?.onDemandUsdPerHour ?? od))) / 3600;
    purchaseOption += (sec * ((p?.onDemandUsdPerHour ?? od) - (p?.usdPerHour ?? od))) / 3600;
  }
  const timing = ((refSec - equivalentSec) * od) / 3600;
  const total = reference.result.costUsd - run.result.costUsd;
  const capacityTiming = timing - engineTuningUsd;
  return {
    capacityTiming,
    purchaseOption,
    gpuType,
    engineTuning: engineTuningUsd,
    other: total - capacityTiming - purchaseOption - gpuType - engineTuningUsd,
  };
}

/** Replays every trace under every policy; deterministic for a seed (wall times aside). */
export async function runMission(config: MissionConfig, o: MissionOptions = {}): Promise<MissionResult> {
  const seed = o.seed ?? config.seed;
  const short = o.short ?? false;
  const policies = o.policies ?? BUILTIN_POLICIES;
  const names = new Set<string>();
  for (const p of policies) {
    if (names.has(p.name)) throw new Error(`policies: duplicate policy name ${p.name}`);
    names.add(p.name);
  }
  const traces = config.traces.filter((t) => !o.traces || o.traces.includes(t.name));
  if (o.traces) {
    const unknown = o.traces.filter((n) => !config.traces.some((t) => t.name === n));
    if (unknown.length)
      throw new Error(`traces: unknown ${unknown.join(', ')} (known: ${config.traces.map((t) => t.name).join(', ')})`);
  }
  const out: MissionResult = { seed, short, traces: [] };
  for (const [ti, spec] of traces.entries()) {
    const trace = await loadMissionTrace(spec, {
      seed,
      ...(short ? { windowSec: config.short.windowSec } : {}),
      peakWindowSec: config.calibration.peakWindowSec,
    });
    const offers = await buildOffers(config, trace, short ? config.short.calibration : config.calibration, (gpuId) =>
      o.onProgress?.({
        trace: spec.name,
        traceIndex: ti,
        traces: traces.length,
        policy: `calibrating ${gpuId}`,
        policyIndex: 0,
        policies: policies.length,
        tSec: 0,
        durationSec: 1,
      })
    );
    const baseline = offers.find((x) => offerKey(x) === offerKey(config.baseline));
    if (!baseline) throw new Error(`baseline: ${offerKey(config.baseline)} has no capacity on trace ${spec.name}`);
    const ctx: MissionContext = { config, trace, offers, baseline, short };
    const report: TraceReport = {
      name: spec.name,
      file: spec.file,
      rateScale: spec.rateScale,
      requests: trace.requests.length,
      excluded: trace.excluded,
      durationSec: trace.durationSec,
      peakRatePerSec: trace.peakRatePerSec,
      capacityPerSec: Object.fromEntries(offers.map((x) => [x.gpuId, x.capacityPerSec])),
      results: [],
      series: {},
      wallSec: {},
    };
    const replays = new Map<string, Replay>();
    for (const [pi, entry] of policies.entries()) {
      const t0 = performance.now();
      const r = await replay(ctx, entry, seed, (tSec) =>
        o.onProgress?.({
          trace: spec.name,
          traceIndex: ti,
          traces: traces.length,
          policy: entry.name,
          policyIndex: pi,
          policies: policies.length,
          tSec,
          durationSec: trace.durationSec,
        })
      );
      report.wallSec[entry.name] = (performance.now() - t0) / 1000;
      replays.set(entry.name, r);
      report.results.push(r.result);
      report.series[entry.name] = r.series;
    }
    const reference = replays.get(staticPeak.name);
    if (reference) {
      for (const r of replays.values()) {
        r.result.savingsVsStaticPeakUsd = reference.result.costUsd - r.result.costUsd;
        r.result.savingsBySource = attributeSavings(
          reference,
          r,
          baseline,
          offers,
          r.result.extras.engineTuningUsd ?? 0
        );
      }
    }
    out.traces.push(report);
  }
  return out;
}
