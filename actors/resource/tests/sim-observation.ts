/**
 * Builds analyzer Observations from an in-process FleetSim run: each telemetry boundary's
 * messages come from `FleetTelemetry` (the gpu-edge's parser and rate tracker), stamped with event
 * time; the Observation at `now` holds the window before it, one FleetPoint per interval, the
 * inventory from the cost telemetry and the price book from the simulated cloud.
 */
import type {
  CostTelemetry,
  EngineTelemetry,
  GpuTelemetry,
  PurchaseOption,
  WorkloadSpec,
} from '../../../schemas/index.js';
import { workloadSpec } from '../../../schemas/index.js';
import {
  FleetSim,
  FleetTelemetry,
  parseFleetSpec,
  type FleetSpec,
  type FleetSpecInput,
  type FleetSummary,
  type SimRequest,
} from '../../../sim/index.js';
import type { FleetPoint, NodeInventory, Observation, PriceBook, Sample } from '../../agent/analysis.js';

export interface SimRun {
  spec: FleetSpec;
  engine: Sample<EngineTelemetry>[];
  gpu: Sample<GpuTelemetry>[];
  cost: Sample<CostTelemetry>[];
  history: FleetPoint[];
  prices: PriceBook;
  /** Event time of simulated second 0, ms. */
  startMs: number;
  endMs: number;
  summary: FleetSummary;
}

export async function runSim(input: FleetSpecInput, trace: readonly SimRequest[]): Promise<SimRun> {
  const spec = parseFleetSpec(input);
  const sim = await FleetSim.create(spec);
  const tel = new FleetTelemetry(spec);
  const run: Omit<SimRun, 'summary' | 'prices'> = {
    spec,
    engine: [],
    gpu: [],
    cost: [],
    history: [],
    startMs: Date.parse(spec.start),
    endMs: Date.parse(spec.start),
  };
  const finished = new Map<string, number>();
  const preempted = new Map<string, number>();
  const summary = await sim.run(trace, (i) => {
    const ts = tel.stampOf(i).getTime();
    const engines: EngineTelemetry[] = [];
    const gpus: GpuTelemetry[] = [];
    let usdPerHour = 0;
    for (const m of tel.messages(i)) {
      if (m.source === 'engine') {
        run.engine.push({ ts, data: m.data });
        engines.push(m.data);
      } else if (m.source === 'gpu') {
        run.gpu.push({ ts, data: m.data });
        gpus.push(m.data);
      } else {
        run.cost.push({ ts, data: m.data });
        usdPerHour += m.data.usd_per_hour;
      }
    }
    run.history.push(fleetPoint(ts, engines, gpus, usdPerHour, spec.telemetryIntervalSec, finished, preempted));
    run.endMs = ts;
  });
  const types = await sim.cloud.listInstanceTypes();
  const prices: PriceBook = {
    instanceTypes: types.map((t) => ({
      id: t.id,
      gpuId: t.gpuId,
      gpuCount: t.gpuCount,
      gpuMemoryGb: t.gpuMemoryGb,
      usdPerHour: usdPerHourOf(t.prices),
    })),
  };
  return { ...run, prices, summary };
}

function usdPerHourOf(
  prices: Partial<Record<PurchaseOption, { usdPerHour: number }>>
): Partial<Record<PurchaseOption, number>> {
  const out: Partial<Record<PurchaseOption, number>> = {};
  for (const [k, q] of Object.entries(prices) as Array<[PurchaseOption, { usdPerHour: number }]>) out[k] = q.usdPerHour;
  return out;
}

function fleetPoint(
  ts: number,
  engines: readonly EngineTelemetry[],
  gpus: readonly GpuTelemetry[],
  usdPerHour: number,
  intervalS: number,
  finished: Map<string, number>,
  preempted: Map<string, number>
): FleetPoint {
  const up = engines.filter((e): e is Extract<EngineTelemetry, { up: true }> => e.up);
  let done = 0;
  let pre = 0;
  for (const e of up) {
    const f = Object.values(e.request_success_total).reduce((a, b) => a + b, 0);
    done += Math.max(0, f - (finished.get(e.node) ?? 0));
    pre += Math.max(0, e.preemptions_total - (preempted.get(e.node) ?? 0));
    finished.set(e.node, f);
    preempted.set(e.node, e.preemptions_total);
  }
  const worst = (xs: Array<number | undefined>): number | null =>
    xs.reduce<number | null>((a, x) => (x === undefined ? a : Math.max(a ?? 0, x)), null);
  const utils = gpus.flatMap((g) => g.gpus.flatMap((d) => (d.util_pct === null ? [] : [d.util_pct])));
  return {
    ts,
    replicasUp: up.length,
    replicasSeen: engines.length,
    requestsPerS: done / intervalS,
    promptTokensPerS: up.reduce((a, e) => a + e.prompt_tokens_per_s, 0),
    generationTokensPerS: up.reduce((a, e) => a + e.generation_tokens_per_s, 0),
    running: up.reduce((a, e) => a + e.requests_running, 0),
    waiting: up.reduce((a, e) => a + e.requests_waiting, 0),
    kvUsageMean: up.length ? up.reduce((a, e) => a + e.kv_cache_usage, 0) / up.length : 0,
    kvUsageMax: Math.max(0, ...up.map((e) => e.kv_cache_usage)),
    preemptions: pre,
    ttftP95Ms: worst(up.map((e) => e.ttft_ms?.p95)),
    ttftP99Ms: worst(up.map((e) => e.ttft_ms?.p99)),
    itlP95Ms: worst(up.map((e) => e.itl_ms?.p95)),
    e2eP95Ms: worst(up.map((e) => e.e2e_ms?.p95)),
    gpuUtilPct: utils.length ? utils.reduce((a, b) => a + b, 0) / utils.length : null,
    usdPerHour,
  };
}

export interface ObservationOptions {
  /** Event time to observe at, ms; default the end of the run. */
  now?: number;
  windowMs?: number;
  spec?: Partial<WorkloadSpec>;
  engineArgs?: Observation['engineArgs'];
  extra?: Partial<Observation>;
}

/** The Observation an agent would hold at `now` after the run. */
export function observationAt(run: SimRun, opts: ObservationOptions = {}): Observation {
  const now = opts.now ?? run.endMs;
  const windowMs = opts.windowMs ?? 300_000;
  const upTo = <T>(xs: readonly Sample<T>[]): Sample<T>[] => xs.filter((s) => s.ts <= now && s.ts > now - windowMs);
  const cost = upTo(run.cost);
  const inventory = new Map<string, NodeInventory>();
  for (const c of cost) {
    inventory.set(c.data.node, {
      node: c.data.node,
      instanceType: c.data.provider ? `${c.data.provider}:${c.data.instance_type}` : c.data.instance_type,
      gpuType: c.data.gpu_type,
      gpuCount: c.data.gpu_count,
      purchaseOption: c.data.purchase_option,
      usdPerHour: c.data.usd_per_hour,
    });
  }
  if (inventory.size === 0) {
    for (const r of run.spec.replicas) {
      const t = run.prices.instanceTypes.find((x) => x.id === r.instanceType)!;
      inventory.set(r.node, {
        node: r.node,
        instanceType: t.id,
        gpuType: t.gpuId,
        gpuCount: t.gpuCount,
        purchaseOption: r.purchaseOption,
        usdPerHour: t.usdPerHour[r.purchaseOption] ?? 0,
      });
    }
  }
  const engineArgs =
    opts.engineArgs ??
    Object.fromEntries(
      run.spec.replicas.map((r) => [
        r.node,
        Object.fromEntries(
          Object.entries({
            'gpu-memory-utilization': r.engine.gpuMemoryUtilization,
            'max-model-len': r.engine.maxModelLen,
            'max-num-seqs': r.engine.maxNumSeqs,
            'kv-cache-dtype': r.engine.kvCacheDtype,
            'enable-prefix-caching': r.engine.enablePrefixCaching,
          }).filter(([, v]) => v !== undefined)
        ) as Record<string, string | number | boolean>,
      ])
    );
  return {
    workload: run.spec.workload,
    now,
    windowMs,
    engine: upTo(run.engine),
    gpu: upTo(run.gpu),
    cost,
    app: [],
    history: run.history.filter((p) => p.ts <= now),
    inventory: [...inventory.values()].sort((a, b) => a.node.localeCompare(b.node)),
    spec: workloadSpec.parse({
      workload: run.spec.workload,
      name: run.spec.workload,
      model: run.spec.replicas[0]!.model,
      ...opts.spec,
    }),
    prices: run.prices,
    engineArgs,
    ...opts.extra,
  };
}
