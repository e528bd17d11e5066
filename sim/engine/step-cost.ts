import { bytesPerWeight } from '../catalog/index.js';
import type { EngineConfig } from './engine-config.js';

/** What one engine step computes, summed over its scheduled requests. */
export interface BatchShape {
  /** Tokens run through the model this step (prefill chunks + one per decoding request). */
  tokens: number;
  /** Requests that sample a token this step (the LM head runs only for them). */
  sampledTokens: number;
  /** Σ new_tokens × (context before + new_tokens / 2): query–key pairs per head and layer. */
  attentionPairs: number;
  /** Σ context before the step: cached KV entries each request's attention reads. */
  kvTokensRead: number;
  /** Seconds spent loading offloaded KV blocks back into GPU memory before the forward pass. */
  kvLoadSec: number;
}

/** Assumed NCCL all-reduce latency per call: NVLink ~6 µs, PCIe ~15 µs (small messages). */
export const ALL_REDUCE_LATENCY_SEC = { nvlink: 6e-6, pcie: 15e-6 } as const;

export interface StepCost {
  seconds: number;
  memorySec: number;
  computeSec: number;
  allReduceSec: number;
}

/**
 * Roofline step time: max(bytes moved / effective HBM bandwidth, FLOPs / effective peak) + tensor
 * parallel all-reduce + the fixed per-step overhead + KV loads. Bytes = this GPU's weight shard
 * (for MoE only the experts the batch routes to) + KV read and written; FLOPs = 2 × matmul
 * parameters × tokens + 2 × LM head × sampled tokens + 4 × layers × heads × head_dim × pairs.
 */
export function createStepCost(config: EngineConfig): (batch: BatchShape) => StepCost {
  const { model, gpu, calibration, tensorParallelSize: tp } = config;
  const wBytes = bytesPerWeight(config.weightDtype);
  const embedParams = model.vocabSize * model.hiddenSize;
  // input embedding is a lookup, LM head a matmul over sampled positions only
  const matmulParamsActive = model.paramsActive - 2 * embedParams;
  const moe = model.moe;
  const expertParams = moe ? (model.paramsTotal - model.paramsActive) / (moe.numExperts - moe.expertsPerToken) : 0;
  const sharedParams = moe ? model.paramsTotal - moe.numExperts * expertParams : model.paramsTotal;
  const peakFlops = config.weightDtype === 'fp8' && gpu.fp8DenseFlops !== null ? gpu.fp8DenseFlops : gpu.bf16DenseFlops;
  const flopsPerSec = peakFlops * calibration.effectiveComputeFraction;
  const bytesPerSec = gpu.hbmBytesPerSec * calibration.effectiveBandwidthFraction;
  const kvPerToken = config.memory.kvBytesPerTokenPerGpu;
  const attnFlopsPerPair = (4 * model.numLayers * model.numAttentionHeads * model.headDim) / tp;
  const link = gpu.nvlinkBytesPerSec ?? gpu.pcieBytesPerSec / 2;
  const arLatency = gpu.nvlinkBytesPerSec ? ALL_REDUCE_LATENCY_SEC.nvlink : ALL_REDUCE_LATENCY_SEC.pcie;

  return (batch) => {
    let paramsRead = sharedParams;
    if (moe) {
      // expected share of experts at least one token routes to, per layer
      const untouched = Math.pow(1 - moe.expertsPerToken / moe.numExperts, batch.tokens);
      paramsRead += moe.numExperts * expertParams * (1 - untouched);
    }
    const bytes = (paramsRead * wBytes) / tp + (batch.kvTokensRead + batch.tokens) * kvPerToken;
    const flops =
      (2 * matmulParamsActive * batch.tokens + 2 * embedParams * batch.sampledTokens) / tp +
      attnFlopsPerPair * batch.attentionPairs;
    const memorySec = bytes / bytesPerSec;
    const computeSec = flops / flopsPerSec;
    // two ring all-reduces of the hidden state per layer (after attention and after the MLP)
    const allReduceSec =
      tp > 1 ? 2 * model.numLayers * (arLatency + (batch.tokens * model.hiddenSize * 2 * 2 * (tp - 1)) / tp / link) : 0;
    const seconds = Math.max(memorySec, computeSec) + allReduceSec + calibration.stepOverheadSec + batch.kvLoadSec;
    return { seconds, memorySec, computeSec, allReduceSec };
  };
}
