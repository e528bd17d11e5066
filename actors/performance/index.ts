/**
 * The performance agent's analyzers (DESIGN.md "Agents"): pure functions of an `Observation`
 * that produce the numbers of its proposals — reactive SLO-aware and predictive scaling, batch
 * tuning, router policy — plus the capacity, queueing and forecast model the cost agent shares.
 */
export { createPerformanceAnalyzers, performanceAnalyzers, bestPerResource } from './analyzers.js';
export { DEFAULT_PERFORMANCE_CONFIG, type PerformanceConfig } from './config.js';
export { sloScaling } from './slo-scaling.js';
export { predictiveScaling } from './predictive-scaling.js';
export { batchTuning } from './batch-tuning.js';
export { routingPolicy } from './routing-policy.js';
export {
  activePoints,
  dominantInstance,
  estimateCapacity,
  kvCapacityTokens,
  maxNumSeqsOf,
  scaleCapacity,
  type Binding,
  type CapacityOptions,
  type ReplicaCapacity,
  type ScaledCapacity,
} from './model/capacity.js';
export { arrivalRps, arrivalSeries } from './model/demand.js';
export { erlangC, meanWaitS, replicasFor } from './model/erlang-c.js';
export { holtForecast, type Forecast, type HoltOptions, type SeriesPoint } from './model/holt.js';
export {
  HOURS_PER_MONTH,
  maxRisk,
  capByCostIncrease,
  provisionDelayS,
  riskOf,
  usdPerMonth,
  type RiskThresholds,
} from './model/money-risk.js';
export { sizingOf, type Sizing, type SizingOptions } from './model/sizing.js';
export { sloStatus, type SloMetricStatus, type SloStatus } from './model/slo-status.js';
export { mean, percentile, round, stdDev } from './model/stats.js';
export { waitEvidence } from './model/wait-evidence.js';
