/** Savings against the static-peak pool, USD, by where they come from. */
export interface SavingsBySource {
  /** Fewer baseline-equivalent replica-hours than the static pool (scaling with the load). */
  capacityTiming: number;
  /** Spot instead of on-demand for the same types. */
  purchaseOption: number;
  /** Cheaper capacity per request on other GPU types, at on-demand prices. */
  gpuType: number;
  /** What the policy attributes to engine settings (carved out of capacity timing). */
  engineTuning: number;
  /** Billing the replica-hours do not show: warm-up before second 0, boot before serving, minimums. */
  other: number;
}

/** One policy on one trace. */
export interface PolicyResult {
  trace: string;
  policy: string;
  /** Requests in the trace as replayed. */
  requests: number;
  /** Finished plus dropped: every request accounted for. */
  requestsJudged: number;
  dropped: number;
  costUsd: number;
  savingsVsStaticPeakUsd: number | null;
  savingsBySource: SavingsBySource | null;
  sloAttainment: number;
  ttftP50Sec: number;
  ttftP99Sec: number;
  /** p99 of per-request mean time per output token, from the merged vLLM histograms. */
  tpotP99Sec: number | null;
  preemptions: number;
  spotInterruptions: number;
  retries: number;
  decisions: number;
  conflicts: number;
  rollbacks: number;
  peakReplicas: number;
  replicaHours: Record<string, number>;
  /** Policy-specific figures (the oracle's planned bound). */
  extras: Record<string, number>;
  /** Decisions as the policy reported them (OptiInfra: every proposal and ruling, in event time). */
  log?: string[];
}

/** One telemetry boundary of one replay. */
export interface SeriesPoint {
  tSec: number;
  /** Replicas not leaving, by `instanceType/purchaseOption`. */
  replicas: Record<string, number>;
  draining: number;
  /** Catalog price of every instance held (draining included). */
  usdPerHour: number;
  /** Cumulative SLO attainment. */
  sloAttainment: number;
  /** SLO attainment of the requests judged in this interval; null when none. */
  sloAttainmentInterval: number | null;
  kvUsageMean: number;
  waiting: number;
}

export interface TraceReport {
  name: string;
  file: string;
  rateScale: number;
  requests: number;
  excluded: number;
  durationSec: number;
  peakRatePerSec: number;
  /** Calibrated requests/s per replica at the SLO, by GPU. */
  capacityPerSec: Record<string, number>;
  results: PolicyResult[];
  series: Record<string, SeriesPoint[]>;
  /** Wall seconds per policy replay (not part of the deterministic result). */
  wallSec: Record<string, number>;
}

export interface MissionResult {
  seed: number;
  short: boolean;
  traces: TraceReport[];
}
