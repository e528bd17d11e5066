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
