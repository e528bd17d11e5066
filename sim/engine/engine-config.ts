import {
  BLOCK_SIZE_TOKENS,
  CALIBRATION,
  getGpu,
  getModel,
  invalidField,
  planMemory,
  schedulerDefaults,
  type GpuCalibration,
  type GpuSpec,
  type KvCacheDtype,
  type MemoryPlan,
  type ModelSpec,
  type WeightDtype,
} from '../catalog/index.js';
import type { OffloadTier } from './block-pool.js';

/** Engine settings, named after vLLM's engine arguments (`--max-num-seqs` → `maxNumSeqs`). */
export interface EngineConfigInput {
  /** Catalog id or Hugging Face name. */
  model: string;
  gpu: string;
  /** `--served-model-name`; defaults to `model` as given, as vLLM does. */
  servedModelName?: string;
  tensorParallelSize?: number;
  gpuMemoryUtilization?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  maxModelLen?: number;
  kvCacheDtype?: KvCacheDtype;
  /** Weight precision (`--quantization fp8`, an int4 AWQ/GPTQ checkpoint, or bf16). */
  weightDtype?: WeightDtype;
  enablePrefixCaching?: boolean;
  numGpuBlocksOverride?: number;
  /** KV offload tiers: evicted cached blocks spill to CPU DRAM, then to local NVMe. */
  kvOffload?: { cpuBytes?: number; diskBytes?: number; diskBytesPerSec?: number };
  /** The `engine` label (data-parallel rank). */
  engineIndex?: number;
  seed?: number;
  /** Relative standard deviation of step time (kernel timing noise). */
  stepJitterFraction?: number;
  frontend?: Partial<FrontendLatency>;
}

/** Time a request spends in vLLM's API server outside the engine core. */
export interface FrontendLatency {
  /** HTTP parsing, chat template, tokenization start, IPC to the engine core. */
  preprocessSec: number;
  /** Tokenization per prompt token (a fast tokenizer runs near 1 M tokens/s). */
  preprocessSecPerToken: number;
  /** Detokenization and IPC back to the client, per output. */
  postprocessSec: number;
}

/**
 * Assumed: 12 ms in, 4 ms out. With the roofline step this puts a 256-token prompt's TTFT on
 * Llama-3.1-8B / H100 near 25 ms, inside the 20–60 ms band of vLLM's own /metrics sample.
 */
export const DEFAULT_FRONTEND: FrontendLatency = {
  preprocessSec: 0.012,
  preprocessSecPerToken: 1e-6,
  postprocessSec: 0.004,
};
/** Assumed: DMA from pinned host memory reaches ~80% of one PCIe direction. */
export const PCIE_EFFICIENCY = 0.8;
/** Assumed: one local PCIe Gen4 NVMe drive, sequential read. */
export const DEFAULT_DISK_BYTES_PER_SEC = 6e9;
/** Assumed: ~1% run-to-run noise of a CUDA-graph step. */
export const DEFAULT_STEP_JITTER = 0.01;

export interface EngineConfig {
  model: ModelSpec;
  gpu: GpuSpec;
  calibration: GpuCalibration;
  servedModelName: string;
  tensorParallelSize: number;
  gpuMemoryUtilization: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  maxModelLen: number;
  kvCacheDtype: KvCacheDtype;
  weightDtype: WeightDtype;
  enablePrefixCaching: boolean;
  numGpuBlocksOverride: number | undefined;
  memory: MemoryPlan;
  tiers: OffloadTier[];
  kvOffloadBytes: number;
  engineIndex: number;
  seed: number;
  stepJitterFraction: number;
  frontend: FrontendLatency;
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw invalidField(field, 'non_negative', `must be a finite number ≥ 0, got ${value}`);
  return value;
}

function oneOf<T extends string>(value: T, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value))
    throw invalidField(field, 'one_of', `must be one of ${allowed.join(', ')}, got '${value}'`);
  return value;
}

function offloadTiers(input: EngineConfigInput, gpu: GpuSpec, blockBytesPerGpu: number, tp: number): OffloadTier[] {
  const tiers: OffloadTier[] = [];
  const blockBytes = blockBytesPerGpu * tp;
  const cpuBytes = nonNegative(input.kvOffload?.cpuBytes ?? 0, 'kv_offloading_size');
  if (cpuBytes > 0) {
    // each rank pulls its share over its own host link, in parallel
    const loadSecPerBlock = blockBytesPerGpu / ((gpu.pcieBytesPerSec / 2) * PCIE_EFFICIENCY);
    tiers.push({ name: 'cpu', capacityBlocks: Math.floor(cpuBytes / blockBytes), loadSecPerBlock });
  }
  const diskBytes = nonNegative(input.kvOffload?.diskBytes ?? 0, 'kv_offload_disk_bytes');
  if (diskBytes > 0) {
    const bw = input.kvOffload?.diskBytesPerSec ?? DEFAULT_DISK_BYTES_PER_SEC;
    if (!(bw > 0)) throw invalidField('kv_offload_disk_bytes_per_sec', 'positive', `must be > 0, got ${bw}`);
    tiers.push({ name: 'disk', capacityBlocks: Math.floor(diskBytes / blockBytes), loadSecPerBlock: blockBytes / bw });
  }
  return tiers;
}

/** Validates an engine configuration and derives what vLLM would at start-up (KV blocks, limits). */
export function resolveEngineConfig(input: EngineConfigInput): EngineConfig {
  const model = getModel(input.model, 'model');
  const gpu = getGpu(input.gpu, 'gpu');
  const defaults = schedulerDefaults(gpu);
  const tp = input.tensorParallelSize ?? 1;
  const maxNumSeqs = input.maxNumSeqs ?? defaults.maxNumSeqs;
  const maxNumBatchedTokens = input.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens;
  const kvCacheDtype = oneOf(input.kvCacheDtype ?? 'auto', ['auto', 'fp8'], 'kv_cache_dtype');
  const weightDtype = oneOf(input.weightDtype ?? 'bf16', ['bf16', 'fp8', 'int4'], 'quantization');
  const gpuMemoryUtilization = input.gpuMemoryUtilization ?? 0.92;
  const memory = planMemory({
    gpu,
    model,
    tensorParallelSize: tp,
    gpuMemoryUtilization,
    weightDtype,
    kvCacheDtype,
    maxNumSeqs,
    maxNumBatchedTokens,
    ...(input.numGpuBlocksOverride !== undefined ? { numGpuBlocksOverride: input.numGpuBlocksOverride } : {}),
  });
  if (maxNumBatchedTokens < maxNumSeqs) {
    throw invalidField(
      'max_num_batched_tokens',
      'gte_max_num_seqs',
      `(${maxNumBatchedTokens}) must be greater than or equal to max_num_seqs (${maxNumSeqs})`
    );
  }
  const maxModelLen = input.maxModelLen ?? model.maxContextTokens;
  if (!Number.isInteger(maxModelLen) || maxModelLen < 1 || maxModelLen > model.maxContextTokens) {
    throw invalidField(
      'max_model_len',
      'within_model_context',
      `must be an integer in [1, ${model.maxContextTokens}] for ${model.id}, got ${maxModelLen}`
    );
  }
  if (maxModelLen > memory.kvCapacityTokens) {
    throw invalidField(
      'max_model_len',
      'fits_kv_cache',
      `the model's max seq len (${maxModelLen}) is larger than the maximum number of tokens that can be ` +
        `stored in KV cache (${memory.kvCapacityTokens}); increase gpu_memory_utilization or decrease max_model_len`
    );
  }
  const seed = input.seed ?? 0;
  const stepJitterFraction = nonNegative(input.stepJitterFraction ?? DEFAULT_STEP_JITTER, 'step_jitter_fraction');
  const frontend = { ...DEFAULT_FRONTEND, ...input.frontend };
  for (const [k, v] of Object.entries(frontend)) nonNegative(v, `frontend.${k}`);
  return {
    model,
    gpu,
    calibration: CALIBRATION[gpu.id],
    servedModelName: input.servedModelName ?? input.model,
    tensorParallelSize: tp,
    gpuMemoryUtilization,
    maxNumSeqs,
    maxNumBatchedTokens,
    maxModelLen,
    kvCacheDtype,
    weightDtype,
    enablePrefixCaching: input.enablePrefixCaching ?? true,
    numGpuBlocksOverride: input.numGpuBlocksOverride,
    memory,
    tiers: offloadTiers(input, gpu, memory.kvBytesPerTokenPerGpu * BLOCK_SIZE_TOKENS, tp),
    kvOffloadBytes: (input.kvOffload?.cpuBytes ?? 0) + (input.kvOffload?.diskBytes ?? 0),
    engineIndex: input.engineIndex ?? 0,
    seed,
    stepJitterFraction,
    frontend,
  };
}
