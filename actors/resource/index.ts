/**
 * The resource agent's analyzers (seed 000 §8.4): a memory-pressure score per node, then
 * `--gpu-memory-utilization`, tiered KV offload and `--kv-cache-dtype fp8` for KV-short nodes,
 * admission limits after OOM events, context limits under pressure and scale-out when memory is
 * critical. `resourceSignals` says what the cost and performance agents should hear.
 */
export { analyzeResources, resourceAnalyzers, resourceView } from './resource-analyzers.js';
export type { ResourceView } from './resource-analyzers.js';
export { DEFAULT_RESOURCE_CONFIG, RESOURCE_CONFIG_SOURCES, resourceConfig } from './resource-config.js';
export type { ResourceConfig } from './resource-config.js';
export { kvShort, memoryPressure } from './memory-pressure.js';
export type { MemoryPressure, PressureSeverity } from './memory-pressure.js';
export { mean, nodeMemory, percentile } from './node-memory.js';
export type { NodeMemory } from './node-memory.js';
export { MODEL_KV, kvBytesPerTokenOf } from './model-kv.js';
export type { ModelKv } from './model-kv.js';
export { defaultMaxNumSeqs } from './oom-prevention.js';
export { resourceSignals } from './resource-signals.js';
export type { ResourceSignal } from './resource-signals.js';
