import { describe, expect, it } from 'vitest';
import {
  CALIBRATION,
  checkFits,
  GPUS,
  MODELS,
  findModel,
  getGpu,
  getModel,
  isSimConfigError,
  kvBytesPerToken,
  planMemory,
  weightsBytes,
} from './index.js';

describe('sim/catalog models', () => {
  // Expected values: 2 (K and V) × num_hidden_layers × num_key_value_heads × head_dim × 2 bytes,
  // each factor read from the model's config.json (URL in models.ts).
  it.each([
    ['llama-3.1-8b', 2 * 32 * 8 * 128 * 2, 131072],
    ['llama-3.1-70b', 2 * 80 * 8 * 128 * 2, 327680],
    ['qwen2.5-7b', 2 * 28 * 4 * 128 * 2, 57344],
    ['qwen2.5-32b', 2 * 64 * 8 * 128 * 2, 262144],
    ['mixtral-8x7b', 2 * 32 * 8 * 128 * 2, 131072],
  ])('%s holds %i KV bytes per token in bf16', (id, formula, bytes) => {
    const model = getModel(id);
    expect(formula).toBe(bytes);
    expect(kvBytesPerToken(model, 'auto')).toBe(bytes);
    expect(kvBytesPerToken(model, 'fp8')).toBe(bytes / 2);
  });

  it('resolves Hugging Face names as vLLM --model would pass them', () => {
    expect(findModel('meta-llama/Llama-3.1-8B-Instruct')?.id).toBe('llama-3.1-8b');
    expect(findModel('Qwen/Qwen2.5-32B-Instruct')?.id).toBe('qwen2.5-32b');
    expect(findModel('gpt-4')).toBeUndefined();
  });

  it('names the field when the model is unknown', () => {
    expect(() => getModel('llama-9', 'model')).toThrow(/model: unknown model 'llama-9'/);
  });

  it('every model cites its config.json and has active ≤ total parameters', () => {
    for (const m of Object.values(MODELS)) {
      expect(m.sources.config).toMatch(/^https:\/\/huggingface\.co\/.+config\.json$/);
      expect(m.paramsActive).toBeLessThanOrEqual(m.paramsTotal);
      expect(m.numAttentionHeads % m.numKvHeads).toBe(0);
    }
    // Mixtral: 46.7B total, 12.9B active (mistral.ai announcement)
    expect(MODELS['mixtral-8x7b'].paramsActive / MODELS['mixtral-8x7b'].paramsTotal).toBeCloseTo(12.9 / 46.7, 5);
  });

  it('weights: Llama-3.1-8B is ~16 GB in bf16, half in fp8, a quarter in int4', () => {
    const m = getModel('llama-3.1-8b');
    expect(weightsBytes(m, 'bf16')).toBeCloseTo(16.06e9, -7);
    expect(weightsBytes(m, 'fp8')).toBe(weightsBytes(m, 'bf16') / 2);
    expect(weightsBytes(m, 'int4')).toBe(weightsBytes(m, 'bf16') / 4);
  });
});

describe('sim/catalog gpus', () => {
  it('has exactly the catalog ids, with fp8 absent on Ampere only', () => {
    expect(Object.keys(GPUS).sort()).toEqual(['A100-80GB', 'A10G', 'H100-PCIe', 'H100-SXM', 'H200', 'L4', 'L40S']);
    expect(GPUS['A100-80GB'].fp8DenseFlops).toBeNull();
    expect(GPUS.A10G.fp8DenseFlops).toBeNull();
    for (const id of ['H100-SXM', 'H100-PCIe', 'H200', 'L40S', 'L4'] as const)
      expect(GPUS[id].fp8DenseFlops).not.toBeNull();
  });

  it('H100 SXM memory is the 81559 MiB nvidia-smi reported (gpu-measured.md)', () => {
    expect(GPUS['H100-SXM'].memoryBytes).toBe(81559 * 1024 * 1024);
  });

  it('calibration on measured GPUs reproduces the measured copy rate and GEMM rate', () => {
    // gpu-measured.md: H100 copy ~3.0 TB/s, GEMM 769–798 TFLOP/s; H200 copy ~4.3 TB/s, ~788 TFLOP/s
    const h100 = GPUS['H100-SXM'].hbmBytesPerSec * CALIBRATION['H100-SXM'].effectiveBandwidthFraction;
    expect(h100).toBeCloseTo(3.0e12, -9);
    const h100Flops = GPUS['H100-SXM'].bf16DenseFlops * CALIBRATION['H100-SXM'].effectiveComputeFraction;
    expect(h100Flops).toBeGreaterThanOrEqual(769e12);
    expect(h100Flops).toBeLessThanOrEqual(798e12);
    expect(GPUS.H200.hbmBytesPerSec * CALIBRATION.H200.effectiveBandwidthFraction).toBeCloseTo(4.3e12, -9);
    expect(CALIBRATION['A100-80GB'].basis).toBe('assumed');
  });

  it('names the field when the GPU is unknown', () => {
    expect(() => getGpu('B200')).toThrow(/gpu: unknown GPU 'B200'/);
  });
});

describe('sim/catalog memory plan', () => {
  const h100 = GPUS['H100-SXM'];
  const llama8 = MODELS['llama-3.1-8b'];

  it('KV capacity is (memory × util − weights − reserve) / KV bytes per token, in 16-token blocks', () => {
    const plan = planMemory({ gpu: h100, model: llama8, gpuMemoryUtilization: 0.9 });
    const expectedKv = 81559 * 1024 * 1024 * 0.9 - 16.06e9 - plan.runtimeReserveBytesPerGpu;
    expect(plan.kvBytesPerGpu).toBeCloseTo(expectedKv, -3);
    expect(plan.numGpuBlocks).toBe(Math.floor(expectedKv / (131072 * 16)));
    expect(plan.kvCapacityTokens).toBe(plan.numGpuBlocks * 16);
    // reserve: 1.5 GiB fixed + activations; a few GiB, as vLLM's start-up log shows on Hopper
    expect(plan.runtimeReserveBytesPerGpu / 1024 ** 3).toBeGreaterThan(1.5);
    expect(plan.runtimeReserveBytesPerGpu / 1024 ** 3).toBeLessThan(6);
  });

  it('fp8 KV doubles the blocks; more memory utilization gives more blocks', () => {
    const auto = planMemory({ gpu: h100, model: llama8, gpuMemoryUtilization: 0.9 });
    const fp8 = planMemory({ gpu: h100, model: llama8, gpuMemoryUtilization: 0.9, kvCacheDtype: 'fp8' });
    expect(Math.abs(fp8.numGpuBlocks - 2 * auto.numGpuBlocks)).toBeLessThanOrEqual(1);
    const less = planMemory({ gpu: h100, model: llama8, gpuMemoryUtilization: 0.5 });
    expect(less.numGpuBlocks).toBeLessThan(auto.numGpuBlocks);
  });

  it('Llama-3.1-70B bf16 does not fit one H100 but fits two, and the error names the field', () => {
    const llama70 = MODELS['llama-3.1-70b'];
    try {
      planMemory({ gpu: h100, model: llama70 });
      expect.unreachable('70B bf16 (141 GB) cannot fit one 80 GB GPU');
    } catch (err) {
      expect(isSimConfigError(err, 'SIM_DOES_NOT_FIT')).toBe(true);
      expect((err as Error).message).toMatch(/^gpu_memory_utilization: .*weights 131\.5 GiB\/GPU/);
    }
    const verdict = checkFits({ gpu: h100, model: llama70 });
    expect(verdict.fits ? '' : verdict.error.field).toBe('gpu_memory_utilization');
    expect(checkFits({ gpu: h100, model: llama70, weightDtype: 'int4' }).fits).toBe(true);
    const tp2 = planMemory({ gpu: h100, model: llama70, tensorParallelSize: 2 });
    const tp4 = planMemory({ gpu: h100, model: llama70, tensorParallelSize: 4 });
    expect(tp2.numGpuBlocks).toBeGreaterThan(0);
    expect(tp4.numGpuBlocks).toBeGreaterThan(2 * tp2.numGpuBlocks);
  });

  it('rejects a tensor parallel size that does not divide the attention heads', () => {
    expect(() => planMemory({ gpu: h100, model: MODELS['qwen2.5-7b'], tensorParallelSize: 8 })).toThrow(
      /tensor_parallel_size: .*28 attention heads/
    );
    expect(() => planMemory({ gpu: h100, model: llama8, gpuMemoryUtilization: 1.2 })).toThrow(/gpu_memory_utilization/);
  });

  it('num_gpu_blocks_override fixes the block count as vLLM does', () => {
    expect(planMemory({ gpu: h100, model: llama8, numGpuBlocksOverride: 100 }).numGpuBlocks).toBe(100);
  });
});
