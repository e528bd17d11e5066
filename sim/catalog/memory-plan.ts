import { SimConfigError, SimConfigErrorCode, invalidField } from './config-error.js';
import { schedulerDefaults, type GpuSpec } from './gpus.js';
import type { ModelSpec } from './models.js';

export const WeightDtype = { bf16: 'bf16', fp8: 'fp8', int4: 'int4' } as const;
export type WeightDtype = (typeof WeightDtype)[keyof typeof WeightDtype];
/** vLLM's `--kv-cache-dtype`: `auto` follows the model dtype (bf16). */
export const KvCacheDtype = { auto: 'auto', fp8: 'fp8' } as const;
export type KvCacheDtype = (typeof KvCacheDtype)[keyof typeof KvCacheDtype];

/** vLLM's default `--block-size`. */
export const BLOCK_SIZE_TOKENS = 16;

const BYTES_PER_WEIGHT: Record<WeightDtype, number> = { bf16: 2, fp8: 1, int4: 0.5 };
const BYTES_PER_KV_ELEMENT: Record<KvCacheDtype, number> = { auto: 2, fp8: 1 };
const GiB = 1024 ** 3;

/**
 * Memory vLLM keeps outside weights and KV: the CUDA context, cuBLAS and NCCL workspaces
 * (non-torch, ~1 GiB) and captured CUDA graphs (~0.5 GiB). Assumed, in line with vLLM's
 * start-up log ("non_torch_memory", "CUDA graph") on Hopper.
 */
export const FIXED_RUNTIME_RESERVE_BYTES = 1.5 * GiB;

export function weightsBytes(model: ModelSpec, dtype: WeightDtype = 'bf16'): number {
  return model.paramsTotal * BYTES_PER_WEIGHT[dtype];
}

export function bytesPerWeight(dtype: WeightDtype): number {
  return BYTES_PER_WEIGHT[dtype];
}

/** K and V for every layer: 2 × layers × kv_heads × head_dim × bytes per element (GQA-aware). */
export function kvBytesPerToken(model: ModelSpec, kvCacheDtype: KvCacheDtype = 'auto'): number {
  return 2 * model.numLayers * model.numKvHeads * model.headDim * BYTES_PER_KV_ELEMENT[kvCacheDtype];
}

/** KV bytes per token held by one GPU; KV heads are replicated when tp exceeds their count. */
export function kvBytesPerTokenPerGpu(model: ModelSpec, kvCacheDtype: KvCacheDtype, tp: number): number {
  const headsPerGpu = Math.ceil(model.numKvHeads / tp);
  return 2 * model.numLayers * headsPerGpu * model.headDim * BYTES_PER_KV_ELEMENT[kvCacheDtype];
}

/**
 * Peak activation memory vLLM measures in its profiling run: one forward pass over
 * max_num_batched_tokens (the MLP's gate/up/down intermediates dominate) plus the sampler's fp32
 * logits and probabilities for max_num_seqs sequences.
 */
export function activationPeakBytes(
  model: ModelSpec,
  tp: number,
  maxNumSeqs: number,
  maxNumBatchedTokens: number
): number {
  const perToken = ((3 * model.intermediateSize) / tp + 4 * model.hiddenSize) * 2;
  const sampler = maxNumSeqs * model.vocabSize * 4 * 2;
  return maxNumBatchedTokens * perToken + sampler;
}

export interface MemoryPlanInput {
  gpu: GpuSpec;
  model: ModelSpec;
  tensorParallelSize?: number;
  gpuMemoryUtilization?: number;
  weightDtype?: WeightDtype;
  kvCacheDtype?: KvCacheDtype;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  /** vLLM's `--num-gpu-blocks-override`: fixes the block count (used to force KV pressure). */
  numGpuBlocksOverride?: number;
}

export interface MemoryPlan {
  budgetBytesPerGpu: number;
  weightsBytesPerGpu: number;
  runtimeReserveBytesPerGpu: number;
  kvBytesPerGpu: number;
  kvBytesPerTokenPerGpu: number;
  numGpuBlocks: number;
  kvCapacityTokens: number;
}

function checkPositiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw invalidField(field, 'positive_integer', `must be an integer ≥ 1, got ${value}`);
}

/**
 * KV capacity per replica: (GPU memory × utilization − weights/tp − runtime reserve) divided by
 * the per-GPU KV bytes of a 16-token block. Throws when the weights and reserve alone do not fit.
 */
export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const { gpu, model } = input;
  const defaults = schedulerDefaults(gpu);
  const tp = input.tensorParallelSize ?? 1;
  const util = input.gpuMemoryUtilization ?? 0.92;
  const maxNumSeqs = input.maxNumSeqs ?? defaults.maxNumSeqs;
  const maxNumBatchedTokens = input.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens;
  checkPositiveInt(tp, 'tensor_parallel_size');
  if (model.numAttentionHeads % tp !== 0) {
    throw invalidField(
      'tensor_parallel_size',
      'divides_attention_heads',
      `${model.id} has ${model.numAttentionHeads} attention heads, not divisible by ${tp}`
    );
  }
  if (!(util > 0 && util <= 1))
    throw invalidField('gpu_memory_utilization', 'range_0_1', `must be in (0, 1], got ${util}`);
  checkPositiveInt(maxNumSeqs, 'max_num_seqs');
  checkPositiveInt(maxNumBatchedTokens, 'max_num_batched_tokens');

  const budget = gpu.memoryBytes * util;
  const weights = weightsBytes(model, input.weightDtype ?? 'bf16') / tp;
  const reserve = FIXED_RUNTIME_RESERVE_BYTES + activationPeakBytes(model, tp, maxNumSeqs, maxNumBatchedTokens);
  const kvBytes = budget - weights - reserve;
  const perToken = kvBytesPerTokenPerGpu(model, input.kvCacheDtype ?? 'auto', tp);
  if (kvBytes <= perToken * BLOCK_SIZE_TOKENS) {
    const gib = (b: number): string => (b / GiB).toFixed(1);
    throw new SimConfigError(
      SimConfigErrorCode.doesNotFit,
      'gpu_memory_utilization',
      'weights_and_reserve_fit',
      `${model.id} on ${tp}× ${gpu.id}: weights ${gib(weights)} GiB/GPU + runtime reserve ${gib(reserve)} GiB ` +
        `leave no KV cache in ${gib(budget)} GiB (memory × ${util}); raise tensor_parallel_size, ` +
        `quantize the weights or pick a larger GPU`
    );
  }
  let numGpuBlocks = Math.floor(kvBytes / (perToken * BLOCK_SIZE_TOKENS));
  if (input.numGpuBlocksOverride !== undefined) {
    checkPositiveInt(input.numGpuBlocksOverride, 'num_gpu_blocks_override');
    numGpuBlocks = input.numGpuBlocksOverride;
  }
  return {
    budgetBytesPerGpu: budget,
    weightsBytesPerGpu: weights,
    runtimeReserveBytesPerGpu: reserve,
    kvBytesPerGpu: kvBytes,
    kvBytesPerTokenPerGpu: perToken,
    numGpuBlocks,
    kvCapacityTokens: numGpuBlocks * BLOCK_SIZE_TOKENS,
  };
}

export type FitResult = { fits: true; plan: MemoryPlan } | { fits: false; error: SimConfigError };

/** `planMemory` without the throw: whether a configuration fits, and why not when it does not. */
export function checkFits(input: MemoryPlanInput): FitResult {
  try {
    return { fits: true, plan: planMemory(input) };
  } catch (err) {
    if (err instanceof SimConfigError) return { fits: false, error: err };
    throw err;
  }
}
