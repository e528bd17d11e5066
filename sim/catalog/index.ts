/**
 * sim/catalog: the hardware and model figures the simulator computes with — models from their
 * Hugging Face config.json, GPUs from NVIDIA datasheets, per-GPU calibration (measured where
 * shared/data/gpu-measured.md has data), and the KV-cache memory plan vLLM would arrive at.
 */
export { SimConfigError, SimConfigErrorCode, isSimConfigError, invalidField } from './config-error.js';
export { MODELS, ModelId, findModel, getModel, type ModelSpec } from './models.js';
export { GPUS, GpuId, getGpu, schedulerDefaults, type GpuSpec } from './gpus.js';
export { CALIBRATION, type GpuCalibration } from './calibration.js';
export {
  BLOCK_SIZE_TOKENS,
  FIXED_RUNTIME_RESERVE_BYTES,
  KvCacheDtype,
  WeightDtype,
  activationPeakBytes,
  checkFits,
  bytesPerWeight,
  kvBytesPerToken,
  kvBytesPerTokenPerGpu,
  planMemory,
  weightsBytes,
  type FitResult,
  type MemoryPlan,
  type MemoryPlanInput,
} from './memory-plan.js';
