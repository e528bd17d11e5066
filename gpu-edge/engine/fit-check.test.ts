import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from './engine-config.js';
import { findModel, getGpu, isSimConfigError, resolveEngineConfig } from '../../sim/index.js';
import { catalogFitChecker } from './fit-check.js';

const CATALOG = { findModel, getGpu, isSimConfigError, resolveEngineConfig };
const h100 = catalogFitChecker(CATALOG, 'H100-SXM');

const cfg = (o: Record<string, unknown>): ReturnType<typeof parseEngineConfig> =>
  parseEngineConfig({ v: 1, model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192, ...o });

describe('gpu-edge fit-check', () => {
  it('fits Llama-3.1-8B on one H100 with 16.06 GB of bf16 weights', () => {
    const fit = h100(cfg({ gpuMemoryUtilization: 0.9 }));
    if (!fit.checked) throw new Error(fit.reason);
    // 8.03 B parameters (Hugging Face model card) × 2 bytes (bf16)
    expect(fit.weightsBytesPerGpu).toBeCloseTo(8.03e9 * 2, -6);
    expect(fit.kvCapacityTokens).toBe(fit.numGpuBlocks * 16);
  });

  it('gives fewer KV blocks at a lower utilisation and more with an fp8 KV cache', () => {
    const at = (o: Record<string, unknown>): number => {
      const f = h100(cfg(o));
      return f.checked ? f.numGpuBlocks : -1;
    };
    expect(at({ gpuMemoryUtilization: 0.6 })).toBeLessThan(at({ gpuMemoryUtilization: 0.9 }));
    // fp8 stores one byte per KV element instead of two: twice the blocks in the same bytes
    // (each count is floored, so the doubled one may hold one block more)
    const bf16 = at({ gpuMemoryUtilization: 0.9 });
    const fp8 = at({ gpuMemoryUtilization: 0.9, kvCacheDtype: 'fp8' });
    expect(fp8 - 2 * bf16).toBeGreaterThanOrEqual(0);
    expect(fp8 - 2 * bf16).toBeLessThanOrEqual(1);
  });

  it('refuses what cannot fit, naming the flag and the rule', () => {
    // Llama-3.1-70B: 70.6 B params × 2 bytes = 141 GB of weights against 80 GB of HBM
    expect(() => h100(parseEngineConfig({ v: 1, model: 'meta-llama/Llama-3.1-70B-Instruct' }))).toThrow(
      /^gpu-memory-utilization: .*weights 131\.5 GiB\/GPU.*\(weights_and_reserve_fit\)$/
    );
    expect(() => h100(cfg({ maxModelLen: 200_000 }))).toThrow(/^max-model-len: .*\(within_model_context\)$/);
  });

  it('reports what it cannot check instead of guessing', () => {
    expect(h100(parseEngineConfig({ v: 1, model: 'acme/private-13b' }))).toEqual({
      checked: false,
      reason: 'model acme/private-13b is not in the catalog',
    });
    expect(catalogFitChecker(CATALOG, 'MI300X')(cfg({}))).toEqual({
      checked: false,
      reason: 'GPU MI300X is not in the catalog',
    });
  });
});
