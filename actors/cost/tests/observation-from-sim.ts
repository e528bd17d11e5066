import { FleetSim, FleetTelemetry, parseFleetSpec, type FleetSpec, type FleetSpecInput } from '../../../sim/index.js';
import type { SimRequest } from '../../../sim/index.js';
import type {
  CostTelemetry,
  EngineTelemetry,
  GpuTelemetry,
  PurchaseOption,
  WorkloadSpec,
} from '../../../schemas/index.js';
import type { FleetPoint, NodeInventory, Observation, PricedInstanceType, Sample } from '../../agent/analysis.js';

/**
 * Builds analyzer observations from a simulated fleet: every interval goes through
 * `FleetTelemetry` (the gpu-edge parser path); windows are the last samples, history one
 * FleetPoint per interval. Inventory and prices come from the fleet spec and `SimCloud`.
 */
export interface SimRun {
  spec: FleetSpec;
  /** One observation per telemetry interval, oldest first. */
  observations: Observation[];
  last: Observation;
}

export interface SimObservationOptions {
  /** Workload spec fields (SLO, constraints); the rest is derived from the fleet spec. */
  workload?: Partial<Omit<WorkloadSpec, 'workload'>>;
  /** Samples kept per source in the rolling windows. */
  windowIntervals?: number;
  /** Current routing policy as the router reports it. */
  routing?: Observation['routing'];
}

const REQUEST_COUNTERS = (d: Extract<EngineTelemetry, { up: true }>): number =>
  Object.values(d.request_success_total).reduce((a, b) => a + b, 0);

export async function observeSim(
  fleet: FleetSpecInput,
  trace: Iterable<SimRequest>,
  options: SimObservationOptions = {}
): Promise<SimRun> {
  const spec = parseFleetSpec(fleet);
  const sim = await FleetSim.create(spec);
  const types = await sim.cloud.listInstanceTypes();
  const prices: PricedInstanceType[] = types.map((t) => {
    const usdPerHour: Partial<Record<PurchaseOption, number>> = {};
    for (const [o, q] of Object.entries(t.prices)) usdPerHour[o as PurchaseOption] = q.usdPerHour;
    const rate = spec.cloud.spotInterruptionsPerHour ?? t.spotInterruptionsPerHour?.value;
    return {
      id: t.id,
      gpuId: t.gpuId,
      gpuCount: t.gpuCount,
      gpuMemoryGb: t.gpuMemoryGb,
      usdPerHour,
      ...(rate !== undefined && t.prices.spot ? { spotInterruptionsPerHour: rate } : {}),
    };
  });
  const byId = new Map(prices.map((p) => [p.id, p]));
  const telemetry = new FleetTelemetry(spec);
  const workload: WorkloadSpec = {
    workload: spec.workload,
    name: spec.workload,
    model: spec.replicas[0]!.model,
    engine: 'sim',
    mode: 'advisory',
    privacy_tier: 1,
    slo: { ttft_p95_ms: spec.slo.ttftSec * 1000, tpot_mean_ms: spec.slo.tpotSec * 1000, attainment: 0.99 },
    constraints: { spot_allowed: false },
    labels: {},
    ...options.workload,
  };
  const fromSpec: NodeInventory[] = spec.replicas.map((r) => {
    const t = byId.get(r.instanceType)!;
    return {
      node: r.node,
      instanceType: r.instanceType,
      gpuType: t.gpuId,
      gpuCount: t.gpuCount,
      purchaseOption: r.purchaseOption,
      usdPerHour: t.usdPerHour[r.purchaseOption] ?? 0,
    };
  });
  const engineArgs: NonNullable<Observation['engineArgs']> = {};
  for (const r of spec.replicas) {
    const args: Record<string, number | boolean | string> = {};
    if (r.engine.maxNumSeqs !== undefined) args['max-num-seqs'] = r.engine.maxNumSeqs;
    if (r.engine.maxNumBatchedTokens !== undefined) args['max-num-batched-tokens'] = r.engine.maxNumBatchedTokens;
    if (r.engine.maxModelLen !== undefined) args['max-model-len'] = r.engine.maxModelLen;
    engineArgs[r.node] = args;
  }
  const windowN = options.windowIntervals ?? 30;
  const engine: Sample<EngineTelemetry>[] = [];
  const gpu: Sample<GpuTelemetry>[] = [];
  const cost: Sample<CostTelemetry>[] = [];
  const history: FleetPoint[] = [];
  const observations: Observation[] = [];
  const lastCounters = new Map<string, { preemptions: number; finished: number }>();
  const down = new Set<string>();

  await sim.run(trace, (interval) => {
    const ts = telemetry.stampOf(interval).getTime();
    const engines: EngineTelemetry[] = [];
    const gpus: GpuTelemetry[] = [];
    const billed: CostTelemetry[] = [];
    for (const m of telemetry.messages(interval)) {
      if (m.source === 'engine') {
        engines.push(m.data);
        engine.push({ ts, data: m.data });
      } else if (m.source === 'cost') {
        billed.push(m.data);
        cost.push({ ts, data: m.data });
      } else {
        gpus.push(m.data);
        gpu.push({ ts, data: m.data });
      }
    }
    const nodes = spec.replicas.length;
    while (engine.length > windowN * nodes) engine.shift();
    while (gpu.length > windowN * nodes) gpu.shift();
    while (cost.length > windowN * nodes) cost.shift();
    for (const e of engines) if (!e.up) down.add(e.node);
    // nodes billed in this interval, as the cost telemetry reports them; the fleet spec before any bill
    const inventory = (billed.length ? billed.map((c) => inventoryOf(c, byId)) : fromSpec).filter(
      (n) => !down.has(n.node)
    );
    history.push(fleetPoint(ts, engines, gpus, lastCounters, inventory));
    observations.push({
      workload: spec.workload,
      now: ts,
      windowMs: windowN * spec.telemetryIntervalSec * 1000,
      engine: [...engine],
      gpu: [...gpu],
      cost: [...cost],
      app: [],
      history: [...history],
      inventory,
      spec: workload,
      prices: { instanceTypes: prices },
      engineArgs,
      ...(options.routing ? { routing: options.routing } : { routing: { policy: spec.routing } }),
    });
  });
  return { spec, observations, last: observations.at(-1)! };
}

function fleetPoint(
  ts: number,
  engines: EngineTelemetry[],
  gpus: GpuTelemetry[],
  last: Map<string, { preemptions: number; finished: number }>,
  inventory: NodeInventory[]
): FleetPoint {
  const up = engines.filter((e): e is Extract<EngineTelemetry, { up: true }> => e.up);
  let requestsPerS = 0;
  let preemptions = 0;
  const worst = (pick: (e: (typeof up)[number]) => number | undefined): number | null => {
    const v = up.map(pick).filter((x): x is number => x !== undefined);
    return v.length ? Math.max(...v) : null;
  };
  for (const e of up) {
    const prev = last.get(e.node) ?? { preemptions: e.preemptions_total, finished: REQUEST_COUNTERS(e) };
    const finished = REQUEST_COUNTERS(e);
    requestsPerS += Math.max(0, finished - prev.finished) / e.window_s;
    preemptions += Math.max(0, e.preemptions_total - prev.preemptions);
    last.set(e.node, { preemptions: e.preemptions_total, finished });
  }
  const utils = gpus.flatMap((g) => g.gpus.map((d) => d.util_pct)).filter((u): u is number => u !== null);
  const sum = (f: (e: (typeof up)[number]) => number): number => up.reduce((a, e) => a + f(e), 0);
  return {
    ts,
    replicasUp: up.length,
    replicasSeen: engines.length,
    requestsPerS,
    promptTokensPerS: sum((e) => e.prompt_tokens_per_s),
    generationTokensPerS: sum((e) => e.generation_tokens_per_s),
    running: sum((e) => e.requests_running),
    waiting: sum((e) => e.requests_waiting),
    kvUsageMean: up.length ? sum((e) => e.kv_cache_usage) / up.length : 0,
    kvUsageMax: up.length ? Math.max(...up.map((e) => e.kv_cache_usage)) : 0,
    preemptions,
    ttftP95Ms: worst((e) => e.ttft_ms?.p95),
    ttftP99Ms: worst((e) => e.ttft_ms?.p99),
    itlP95Ms: worst((e) => e.itl_ms?.p95),
    e2eP95Ms: worst((e) => e.e2e_ms?.p95),
    gpuUtilPct: utils.length ? utils.reduce((a, b) => a + b, 0) / utils.length : null,
    usdPerHour: inventory.reduce((a, n) => a + n.usdPerHour, 0),
  };
}

function inventoryOf(c: CostTelemetry, byId: Map<string, PricedInstanceType>): NodeInventory {
  const id = c.provider ? `${c.provider}:${c.instance_type}` : c.instance_type;
  return {
    node: c.node,
    instanceType: byId.has(id) ? id : c.instance_type,
    gpuType: c.gpu_type,
    gpuCount: c.gpu_count,
    purchaseOption: c.purchase_option,
    usdPerHour: c.usd_per_hour,
  };
}
