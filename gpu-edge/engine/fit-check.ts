import type * as Sim from '../../sim/index.js';
import { ENGINE_FLAGS, EngineConfigError, type EngineConfig } from './engine-config.js';

export type FitCheck =
  | { checked: true; numGpuBlocks: number; kvCapacityTokens: number; weightsBytesPerGpu: number }
  | { checked: false; reason: string };

/** Whether a configuration fits the node's GPU; throws `EngineConfigError` when it cannot. */
export type FitChecker = (config: EngineConfig) => FitCheck;

/**
 * The model and GPU catalog with its memory plan (sim/catalog, the plan the simulated engine uses).
 * Passed in by the process that wires the edge, because the simulator's fleet driver imports
 * gpu-edge: a static import here would close a cycle.
 */
export type FitCatalog = Pick<typeof Sim, 'findModel' | 'getGpu' | 'isSimConfigError' | 'resolveEngineConfig'>;

const KV_DTYPE = { auto: 'auto', fp8: 'fp8', fp8_e4m3: 'fp8', fp8_e5m2: 'fp8' } as const;
const WEIGHT_DTYPE = { fp8: 'fp8', awq: 'int4', gptq: 'int4', awq_marlin: 'int4', gptq_marlin: 'int4' } as const;

/** The catalog names fields in snake_case (`gpu_memory_utilization`); report them as flags. */
function flagName(field: string): string {
  const dashed = field.replace(/_/g, '-');
  return Object.values(ENGINE_FLAGS).includes(dashed as never) ? dashed : field;
}

/** Used when no catalog is wired in: says so rather than guessing. */
export const uncheckedFit: FitChecker = () => ({ checked: false, reason: 'no GPU catalog configured' });

/**
 * Checks weights + runtime reserve + KV for `max-model-len` against `gpu` at the requested
 * utilisation by the catalog's memory plan. A model or GPU outside the catalog cannot be checked.
 */
export function catalogFitChecker(catalog: FitCatalog, gpu: string): FitChecker {
  return (config) => {
    if (!catalog.findModel(config.model)) {
      return { checked: false, reason: `model ${config.model} is not in the catalog` };
    }
    try {
      catalog.getGpu(gpu);
    } catch {
      return { checked: false, reason: `GPU ${gpu} is not in the catalog` };
    }
    try {
      const resolved = catalog.resolveEngineConfig({
        model: config.model,
        gpu,
        ...(config.tensorParallelSize !== undefined ? { tensorParallelSize: config.tensorParallelSize } : {}),
        ...(config.gpuMemoryUtilization !== undefined ? { gpuMemoryUtilization: config.gpuMemoryUtilization } : {}),
        ...(config.maxNumSeqs !== undefined ? { maxNumSeqs: config.maxNumSeqs } : {}),
        ...(config.maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens: config.maxNumBatchedTokens } : {}),
        ...(config.maxModelLen !== undefined ? { maxModelLen: config.maxModelLen } : {}),
        ...(config.kvCacheDtype !== undefined ? { kvCacheDtype: KV_DTYPE[config.kvCacheDtype] } : {}),
        ...(config.quantization !== undefined ? { weightDtype: WEIGHT_DTYPE[config.quantization] } : {}),
      });
      const m = resolved.memory;
      return {
        checked: true,
        numGpuBlocks: m.numGpuBlocks,
        kvCapacityTokens: m.kvCapacityTokens,
        weightsBytesPerGpu: m.weightsBytesPerGpu,
      };
    } catch (err) {
      if (catalog.isSimConfigError(err)) {
        throw new EngineConfigError(flagName(err.field), err.rule, err.message.replace(/^[^:]+: /, ''));
      }
      throw err;
    }
  };
}
