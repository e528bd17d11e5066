import type {
  ActionSpec,
  AgentKind,
  AppTelemetry,
  AppTierTelemetry,
  CostTelemetry,
  EngineTelemetry,
  EvidenceItem,
  GpuTelemetry,
  PriorityClass,
  PurchaseOption,
  RiskLevel,
  WorkloadSpec,
} from '../../schemas/index.js';

/**
 * The contract between the agent framework and each agent's analyzers. Analyzers are pure and
 * deterministic: the numbers of a proposal come from here, never from the LLM.
 */

/** One telemetry message as an agent keeps it; `ts` is event time, ms. */
export interface Sample<T> {
  ts: number;
  data: T;
}

/**
 * One telemetry interval of the whole workload, aggregated over its nodes: the long history
 * analyzers forecast and take percentiles from (bounded; older points are dropped).
 */
export interface FleetPoint {
  /** Event time of the interval's end, ms. */
  ts: number;
  /** Nodes whose engine reported up=true in the interval. */
  replicasUp: number;
  /** Nodes that reported at all (up or down). */
  replicasSeen: number;
  /** Finished requests per second over the interval, summed over nodes. */
  requestsPerS: number;
  promptTokensPerS: number;
  generationTokensPerS: number;
  running: number;
  waiting: number;
  kvUsageMean: number;
  kvUsageMax: number;
  /** Preemptions in the interval, summed over nodes (from the cumulative counters). */
  preemptions: number;
  /** Worst node's p95, or null without finished requests. */
  ttftP95Ms: number | null;
  ttftP99Ms: number | null;
  itlP95Ms: number | null;
  e2eP95Ms: number | null;
  /** Mean GPU utilisation (utilization.gpu, %) over the nodes' GPUs; null without readings. */
  gpuUtilPct: number | null;
  /** Fleet cost rate from the cost telemetry of the interval. */
  usdPerHour: number;
}

/** What an instance type costs, from the cloud-provider interface (never hard-coded). */
export interface PricedInstanceType {
  /** `<provider>:<name>`, e.g. `aws:p5.4xlarge`. */
  id: string;
  /** GPU id as in sim/catalog (`H100-SXM`, `A100-80GB`, `L40S`, …). */
  gpuId: string;
  gpuCount: number;
  gpuMemoryGb: number;
  /** USD per instance-hour per purchase option the provider offers for it. */
  usdPerHour: Partial<Record<PurchaseOption, number>>;
  /** Spot interruptions per instance-hour, where known. */
  spotInterruptionsPerHour?: number;
  /** Launch-to-serving delay the provider quotes (boot + weights load), seconds. */
  provisionDelayS?: number;
  /** Effective USD per instance-hour of a 3-year commitment, where offered (`reserved` is 1-year). */
  reserved3yUsdPerHour?: number;
}

export interface PriceBook {
  instanceTypes: PricedInstanceType[];
}

/** What each node runs now, from the cost telemetry (instance type and purchase option). */
export interface NodeInventory {
  node: string;
  instanceType: string;
  gpuType: string;
  gpuCount: number;
  purchaseOption: PurchaseOption;
  usdPerHour: number;
}

/** A past verified outcome like the present one (learning memory), with its similarity. */
export interface SimilarCase {
  similarity: number;
  action: ActionSpec;
  predictedUsdPerMonth: number;
  measuredUsdPerMonth: number;
  /** True when verification kept the change; false when it was rolled back. */
  kept: boolean;
}

/** Everything an analyzer may look at: telemetry windows, history, config and prices. */
export interface Observation {
  workload: string;
  /** Event time of the newest message, ms. */
  now: number;
  /** Length of the rolling windows below, ms. */
  windowMs: number;
  engine: Sample<EngineTelemetry>[];
  gpu: Sample<GpuTelemetry>[];
  cost: Sample<CostTelemetry>[];
  app: Sample<AppTelemetry>[];
  /** Oldest first, one point per telemetry interval, up to the configured history length. */
  history: FleetPoint[];
  inventory: NodeInventory[];
  spec: WorkloadSpec;
  prices: PriceBook;
  similarCases?: SimilarCase[];
  /**
   * vLLM engine args each node runs (flag without dashes → value, e.g. `max-num-seqs: 256`), from
   * the edge's engine config; a flag absent here runs at vLLM's default.
   */
  engineArgs?: Record<string, Record<string, string | number | boolean>>;
  /** The router's current policy; routing proposals need it for their rollback. */
  routing?: { policy: RoutingPolicy; weights?: Record<string, number> };
  /** Privacy-tiered application telemetry (`oi.tel.app.t{1,2,3}.v1`); tier-3 content is never kept here. */
  appTiers?: Sample<AppTierTelemetry>[];
  /** Changes applied to the workload, oldest first (quality regression checks roll back the last one). */
  appliedChanges?: AppliedChange[];
}

/** A change that took effect, with the action that undoes it. */
export interface AppliedChange {
  /** Event time it took effect, ms. */
  ts: number;
  action: ActionSpec;
  rollback: ActionSpec;
  proposalId: string;
}

export type RoutingPolicy = Extract<ActionSpec, { kind: 'set_routing' }>['policy'];

/** One change an analyzer recommends, with its numbers; the framework turns it into a proposal. */
export interface Candidate {
  /** Analyzer that produced it, e.g. `cost.spot-migration`. */
  strategy: string;
  action: ActionSpec;
  /** Nodes the action touches; absent = the whole workload. */
  nodes?: string[];
  expectedImpact: { usd_per_month: number; slo_attainment_delta?: number; gpu_memory_gib_delta?: number };
  confidence: number;
  risk: RiskLevel;
  /** The numbers behind it: at least one item. */
  evidence: EvidenceItem[];
  /** Undoes `action` (same resource). */
  rollback: ActionSpec;
  /** How long to watch the outcome before calling it kept, seconds. */
  verifyWindowS: number;
  /** One plain sentence: what and why, with the key figure. */
  summary: string;
  /** Arbitration rank (resource → `resource`, quality rollback → `quality`); absent: the framework's default for the agent. */
  priorityClass?: PriorityClass;
}

/** An agent's analyzers: pure functions of an observation. */
export interface AgentAnalyzers {
  agent: AgentKind;
  analyze(obs: Observation): Candidate[];
}
