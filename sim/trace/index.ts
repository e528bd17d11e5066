/**
 * sim/trace — request traces for the simulator: streaming readers of the Azure LLM inference CSVs
 * and Mooncake JSONL, time compression and seeded rate scaling, a seeded synthetic generator,
 * summary statistics, and the pure lockstep driver that cuts a trace into clock ticks.
 */
export { collectTrace } from './sim-request.js';
export type { RequestSource, SimRequest } from './sim-request.js';
export { TraceFormatError } from './trace-format-error.js';
export { readAzureTrace } from './azure-trace-reader.js';
export type { TraceReadOptions } from './azure-trace-reader.js';
export { readMooncakeTrace } from './mooncake-trace-reader.js';
export { compressTime, scaleRate } from './rate-transform.js';
export {
  DEFAULT_SYNTHETIC_PARAMS,
  generateSyntheticTrace,
  syntheticBursts,
  syntheticRateAt,
} from './synthetic-trace.js';
export type { LogNormalTokens, SyntheticTraceParams } from './synthetic-trace.js';
export { summarizeTrace } from './trace-stats.js';
export type { TokenStats, TraceSummary } from './trace-stats.js';
export { lockstep } from './lockstep.js';
export type { LockstepBatch, LockstepOptions } from './lockstep.js';
