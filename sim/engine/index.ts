/**
 * sim/engine: one vLLM V1 replica on simulated time — continuous batching with chunked prefill,
 * paged KV with prefix caching, preemption by recompute, optional CPU/disk KV offload, a roofline
 * step time calibrated on measured H100/H200 figures, vLLM's /metrics — and its HTTP surface
 * (`EngineServer`, runnable as `serve.ts`). A fleet advances many `EngineModel`s from one event
 * loop with `nextEventSec()` / `advanceTo()`.
 */
export { EngineModel, type EngineStats } from './engine-model.js';
export {
  DEFAULT_DISK_BYTES_PER_SEC,
  DEFAULT_FRONTEND,
  DEFAULT_STEP_JITTER,
  PCIE_EFFICIENCY,
  resolveEngineConfig,
  type EngineConfig,
  type EngineConfigInput,
  type FrontendLatency,
} from './engine-config.js';
export { FinishReason, type EngineRequestInput, type FinishedRequest } from './request.js';
export { ALL_REDUCE_LATENCY_SEC, createStepCost, type BatchShape, type StepCost } from './step-cost.js';
export type { OffloadTier } from './block-pool.js';
export {
  CHARS_PER_TOKEN,
  MOONCAKE_TOKENS_PER_HASH_ID,
  blockKeysFromHashIds,
  blockKeysFromText,
  blockKeysFromTokenIds,
} from './prefix-keys.js';
export { engineRequestFromTrace, type TraceRequestLike } from './trace-request.js';
export { EngineMetrics } from './engine-metrics.js';
export {
  Histogram,
  buckets125,
  formatValue,
  renderFamilies,
  type MetricFamily,
  type Sample,
} from './prometheus-text.js';
export {
  DEFAULT_QUALITY_DELTAS,
  QUALITY_MATRIX,
  TaskClass,
  createQualityModel,
  type QualityDeltas,
  type QualityModel,
  type QualityOptions,
} from './quality-model.js';
export { ApiError, estimateTokens, parseCompletionBody, type ParsedCompletion } from './openai-api.js';
export { EngineServer, type EngineServerOptions } from './http-server.js';
export { ServeArgsError, parseServeArgs, type ServeOptions } from './serve-args.js';
