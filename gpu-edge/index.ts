/**
 * gpu-edge: the actor that runs on each GPU node (DESIGN.md "Layout"). This is its telemetry
 * half: nvidia-smi readings (CSV query or `-q -x` XML) and engine metrics (vLLM `/metrics`, or
 * an existing Prometheus) turned into `oi.tel.gpu.v1` and `oi.tel.engine.v1` and published on
 * `oi.v1.tel.<source>.<workload>.<node>` every interval by `startEdgeTelemetry`.
 */
export { NvidiaSmiNotFoundError, ScrapeError, TelemetryParseError } from './errors.js';
export {
  APP_QUERY_FIELDS,
  GPU_QUERY_FIELDS,
  parseComputeAppsCsv,
  parseGpuQueryCsv,
} from './telemetry/nvidia-smi-csv.js';
export type { GpuProcessReading, GpuQueryResult } from './telemetry/nvidia-smi-csv.js';
export { parseNvidiaSmiXml } from './telemetry/nvidia-smi-xml.js';
export type { GpuXmlResult } from './telemetry/nvidia-smi-xml.js';
export { toGpuTelemetry } from './telemetry/gpu-telemetry.js';
export { parsePrometheusText, parseValue } from './telemetry/prometheus-text.js';
export type { Exposition, Family, MetricType, Sample } from './telemetry/prometheus-text.js';
export { histogramQuantile, normalizeBuckets, quantilesOf } from './telemetry/histogram.js';
export type { Bucket, Quantiles } from './telemetry/histogram.js';
export { VLLM_REMOVED, VLLM_RENAMED, normalizeVllmNames } from './telemetry/vllm-names.js';
export { deriveEngineWindow, engineSnapshot, histogramIncrease } from './telemetry/vllm-metrics.js';
export type { EngineSnapshot, EngineWindow } from './telemetry/vllm-metrics.js';
export { EngineTelemetryTracker, toEngineTelemetryV1 } from './telemetry/engine-telemetry.js';
export type { EngineIdentity, EngineObservation } from './telemetry/engine-telemetry.js';
export type { EngineSource, GpuReading, GpuSource } from './sources/types.js';
export { nvidiaSmiSource } from './sources/nvidia-smi-source.js';
export type { NvidiaSmiOptions } from './sources/nvidia-smi-source.js';
export { engineMetricsSource } from './sources/engine-metrics-source.js';
export type { EngineMetricsOptions } from './sources/engine-metrics-source.js';
export { parsePrometheusQueryResponse, prometheusApiSource, vllmSelector } from './sources/prometheus-api-source.js';
export type { PrometheusApiOptions } from './sources/prometheus-api-source.js';
export { startEdgeTelemetry } from './publisher.js';
export type { EdgeTelemetry, EdgeTelemetryOptions, EdgeTelemetryStats } from './publisher.js';

// engine control: adapters, the reconfigure state machine, the action consumer, the process
export {
  ENGINE_FLAGS,
  EngineConfigError,
  applyEngineChanges,
  describeChange,
  engineConfigV1,
  parseEngineConfig,
  vllmArgs,
} from './engine/engine-config.js';
export type { EngineConfig, EngineField } from './engine/engine-config.js';
export type { EngineAdapter, EngineExit, EngineInstance } from './engine/engine-adapter.js';
export { EngineStartError, describeExit } from './engine/child-engine.js';
export { catalogFitChecker, uncheckedFit } from './engine/fit-check.js';
export type { FitCatalog, FitCheck, FitChecker } from './engine/fit-check.js';
export { DEFAULT_VLLM_COMMAND, vllmAdapter } from './engine/vllm-adapter.js';
export type { VllmAdapterOptions } from './engine/vllm-adapter.js';
export { simAdapter } from './engine/sim-adapter.js';
export type { SimAdapterOptions } from './engine/sim-adapter.js';
export { EngineController } from './control/engine-controller.js';
export type {
  ChangeOutcome,
  EngineControllerOptions,
  EngineEvent,
  EngineState,
  EngineStatus,
} from './control/engine-controller.js';
export { breach, metricsOf, verifyWindow } from './control/verify-window.js';
export type { VerifyBounds, VerifyOptions, VerifyResult } from './control/verify-window.js';
export { DONE_CAP, EdgeStateFile, edgeStateV1, emptyEdgeState } from './control/edge-state.js';
export type { DoneAction, EdgeState } from './control/edge-state.js';
export { EDGE_VERBS, EdgeActions, changesOf } from './control/edge-actions.js';
export type { ActionOutcome, EdgeActionsOptions, EdgeVerb } from './control/edge-actions.js';
export { actConsumerName, actConsumerSpec, startActionConsumer } from './control/action-consumer.js';
export type { ActionConsumerOptions } from './control/action-consumer.js';
export {
  EDGE_SETTING_NAMES,
  defaultNodeId,
  edgeSettingsFromEnv,
  parseEdgeSettings,
  parseEngineFlags,
} from './edge-settings.js';
export type { EdgeSettingKey, EdgeSettings } from './edge-settings.js';
export { EDGE_SERVICE, edgeEngine, runEdge, runEdgeWith, startEdge } from './process.js';
export type { Edge, EdgeOptions, EdgeStats } from './process.js';
