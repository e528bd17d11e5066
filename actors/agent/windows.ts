import type {
  AppTelemetry,
  AppTierTelemetry,
  CostTelemetry,
  EngineTelemetry,
  GpuTelemetry,
} from '../../schemas/index.js';
import type { FleetPoint, NodeInventory, Sample } from './analysis.js';

/** How much telemetry an agent keeps; all event time. */
export interface WindowConfig {
  /** Rolling window of raw samples, ms. */
  windowMs: number;
  /** Telemetry interval: samples of all nodes within one interval make one FleetPoint. */
  intervalMs: number;
  /** FleetPoints kept (2 days at 10 s = 17,280; points are ~200 B of JSON). */
  historyPoints: number;
}

export const DEFAULT_WINDOWS: WindowConfig = { windowMs: 5 * 60_000, intervalMs: 10_000, historyPoints: 17_280 };

/** Per node, the cumulative counters the last interval ended with (for per-interval deltas). */
interface NodeCounters {
  preemptions: number;
  finished: number;
}

/** The agent's telemetry memory: part of its actor snapshot, so it must stay plain JSON. */
export interface WindowState {
  engine: Sample<EngineTelemetry>[];
  gpu: Sample<GpuTelemetry>[];
  cost: Sample<CostTelemetry>[];
  app: Sample<AppTelemetry>[];
  /** Privacy-tiered app telemetry; absent in snapshots written before it was kept. */
  appTiers?: Sample<AppTierTelemetry>[];
  history: FleetPoint[];
  /** Interval being filled: its index (ts / intervalMs) and the samples seen in it. */
  open: { bucket: number; engine: Sample<EngineTelemetry>[]; gpu: GpuTelemetry[]; cost: CostTelemetry[] } | null;
  counters: Record<string, NodeCounters>;
  inventory: Record<string, NodeInventory>;
}

export function emptyWindows(): WindowState {
  return { engine: [], gpu: [], cost: [], app: [], appTiers: [], history: [], open: null, counters: {}, inventory: {} };
}

export type TelemetryInput =
  | { source: 'engine'; ts: number; data: EngineTelemetry }
  | { source: 'gpu'; ts: number; data: GpuTelemetry }
  | { source: 'cost'; ts: number; data: CostTelemetry }
  | { source: 'app'; ts: number; data: AppTelemetry }
  | { source: 'appTier'; ts: number; data: AppTierTelemetry };

/**
 * Adds one telemetry message. A message of a later interval closes the open one into a
 * FleetPoint; late messages of an already closed interval still enter the raw windows.
 * Returns a new state (the input is not mutated) and whether an interval closed.
 */
export function addTelemetry(
  prev: WindowState,
  m: TelemetryInput,
  cfg: WindowConfig
): { state: WindowState; closed: FleetPoint | undefined } {
  const s: WindowState = {
    ...prev,
    engine: prev.engine,
    gpu: prev.gpu,
    cost: prev.cost,
    app: prev.app,
    history: prev.history,
    counters: prev.counters,
    inventory: prev.inventory,
  };
  const bucket = Math.floor(m.ts / cfg.intervalMs);
  let closed: FleetPoint | undefined;
  if (s.open && bucket > s.open.bucket) {
    const { point, counters } = closeInterval(s.open, s.counters, s.history, cfg);
    closed = point;
    s.counters = counters;
    s.history = trimTail([...s.history, point], cfg.historyPoints);
    s.open = null;
  }
  // a closed point's ts is its interval's end, i.e. the start of the next bucket
  const fresh = !s.open && (s.history.length === 0 || m.ts >= s.history.at(-1)!.ts);
  if (fresh) s.open = { bucket, engine: [], gpu: [], cost: [] };
  const into = s.open && s.open.bucket === bucket ? s.open : undefined;
  const since = m.ts - cfg.windowMs;
  switch (m.source) {
    case 'engine':
      s.engine = trimOld([...s.engine, { ts: m.ts, data: m.data }], since);
      if (into) s.open = { ...into, engine: [...into.engine, { ts: m.ts, data: m.data }] };
      break;
    case 'gpu':
      s.gpu = trimOld([...s.gpu, { ts: m.ts, data: m.data }], since);
      if (into) s.open = { ...into, gpu: [...into.gpu, m.data] };
      break;
    case 'cost':
      s.cost = trimOld([...s.cost, { ts: m.ts, data: m.data }], since);
      if (into) s.open = { ...into, cost: [...into.cost, m.data] };
      s.inventory = {
        ...s.inventory,
        [m.data.node]: {
          node: m.data.node,
          instanceType: m.data.instance_type,
          gpuType: m.data.gpu_type,
          gpuCount: m.data.gpu_count,
          purchaseOption: m.data.purchase_option,
          usdPerHour: m.data.usd_per_hour,
        },
      };
      break;
    case 'app':
      s.app = trimOld([...s.app, { ts: m.ts, data: m.data }], since);
      break;
    case 'appTier':
      s.appTiers = trimOld([...(s.appTiers ?? []), { ts: m.ts, data: withoutContent(m.data) }], since);
      break;
  }
  // a node that stopped reporting cost for a whole window is gone from the inventory
  const reporting = new Set(s.cost.map((c) => c.data.node));
  if (s.cost.length && Object.keys(s.inventory).some((n) => !reporting.has(n))) {
    s.inventory = Object.fromEntries(Object.entries(s.inventory).filter(([n]) => reporting.has(n)));
  }
  return { state: s, closed };
}

/** Tier-3 samples carry request content: the agent keeps the aggregates, never the text. */
function withoutContent(d: AppTierTelemetry): AppTierTelemetry {
  if (d.privacy_tier !== 3 || d.samples === undefined) return d;
  const { samples: _content, ...rest } = d;
  return rest;
}

function trimOld<T extends { ts: number }>(xs: T[], since: number): T[] {
  let i = 0;
  while (i < xs.length && xs[i]!.ts < since) i++;
  return i ? xs.slice(i) : xs;
}

function trimTail<T>(xs: T[], max: number): T[] {
  return xs.length > max ? xs.slice(xs.length - max) : xs;
}

function closeInterval(
  open: NonNullable<WindowState['open']>,
  prevCounters: Record<string, NodeCounters>,
  history: FleetPoint[],
  cfg: WindowConfig
): { point: FleetPoint; counters: Record<string, NodeCounters> } {
  const counters = { ...prevCounters };
  const endTs = (open.bucket + 1) * cfg.intervalMs;
  const lastTs = history.at(-1)?.ts;
  // counters are cumulative: a gap of silent intervals is spread over the whole gap
  const spanS = (lastTs === undefined ? cfg.intervalMs : endTs - lastTs) / 1000;
  // one sample per node: the newest of the interval
  const byNode = new Map<string, EngineTelemetry>();
  for (const e of open.engine) byNode.set(e.data.node, e.data);
  let up = 0;
  let running = 0;
  let waiting = 0;
  let kvSum = 0;
  let kvMax = 0;
  let prompt = 0;
  let gen = 0;
  let preemptions = 0;
  let finished = 0;
  let ttft95: number | null = null;
  let ttft99: number | null = null;
  let itl95: number | null = null;
  let e2e95: number | null = null;
  const worst = (a: number | null, b: number | undefined | null): number | null =>
    b === undefined || b === null ? a : a === null ? b : Math.max(a, b);
  for (const [node, e] of byNode) {
    if (!e.up) continue;
    up++;
    running += e.requests_running;
    waiting += e.requests_waiting;
    kvSum += e.kv_cache_usage;
    kvMax = Math.max(kvMax, e.kv_cache_usage);
    prompt += e.prompt_tokens_per_s;
    gen += e.generation_tokens_per_s;
    const done = Object.values(e.request_success_total).reduce((a, b) => a + b, 0);
    const before = counters[node];
    // a counter that went down means the engine restarted: count from zero
    if (before) {
      preemptions +=
        e.preemptions_total >= before.preemptions ? e.preemptions_total - before.preemptions : e.preemptions_total;
      finished += done >= before.finished ? done - before.finished : done;
    }
    counters[node] = { preemptions: e.preemptions_total, finished: done };
    ttft95 = worst(ttft95, e.ttft_ms?.p95);
    ttft99 = worst(ttft99, e.ttft_ms?.p99);
    itl95 = worst(itl95, e.itl_ms?.p95);
    e2e95 = worst(e2e95, e.e2e_ms?.p95);
  }
  const utils = open.gpu.flatMap((g) => g.gpus.map((d) => d.util_pct)).filter((u): u is number => u !== null);
  const costByNode = new Map<string, number>();
  for (const c of open.cost) costByNode.set(c.node, c.usd_per_hour);
  const point: FleetPoint = {
    ts: endTs,
    replicasUp: up,
    replicasSeen: byNode.size,
    requestsPerS: finished / spanS,
    promptTokensPerS: prompt,
    generationTokensPerS: gen,
    running,
    waiting,
    kvUsageMean: up ? kvSum / up : 0,
    kvUsageMax: kvMax,
    preemptions,
    ttftP95Ms: ttft95,
    ttftP99Ms: ttft99,
    itlP95Ms: itl95,
    e2eP95Ms: e2e95,
    gpuUtilPct: utils.length ? utils.reduce((a, b) => a + b, 0) / utils.length : null,
    usdPerHour: [...costByNode.values()].reduce((a, b) => a + b, 0),
  };
  return { point, counters };
}
