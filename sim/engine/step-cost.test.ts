import { describe, expect, it } from 'vitest';
import { createStepCost, resolveEngineConfig, type BatchShape, type EngineConfigInput } from './index.js';

const decode = (batch: number, context = 1000): BatchShape => ({
  tokens: batch,
  sampledTokens: batch,
  attentionPairs: batch * (context + 0.5),
  kvTokensRead: batch * context,
  kvLoadSec: 0,
});
const cost = (input: EngineConfigInput, b: BatchShape) => createStepCost(resolveEngineConfig(input))(b);

describe('sim/engine roofline step cost', () => {
  it('batch-1 decode of Llama-3.1-8B is bound by reading its 16 GB of weights', () => {
    const c = cost({ model: 'llama-3.1-8b', gpu: 'H100-SXM' }, decode(1, 0));
    // 8.03e9 params × 2 bytes / 3.0 TB/s measured copy rate (gpu-measured.md)
    expect(c.memorySec).toBeCloseTo((8.03e9 * 2) / 3.0e12, 6);
    expect(c.computeSec).toBeLessThan(c.memorySec / 100);
    expect(c.seconds).toBeCloseTo(c.memorySec + 0.001, 6);
  });

  it('fp8 weights halve the bandwidth-bound decode; a long prefill is compute-bound', () => {
    const bf16 = cost({ model: 'llama-3.1-8b', gpu: 'H100-SXM' }, decode(1, 0));
    const fp8 = cost({ model: 'llama-3.1-8b', gpu: 'H100-SXM', weightDtype: 'fp8' }, decode(1, 0));
    expect(fp8.memorySec).toBeCloseTo(bf16.memorySec / 2, 6);
    const prefill = cost(
      { model: 'llama-3.1-8b', gpu: 'H100-SXM' },
      { tokens: 8192, sampledTokens: 1, attentionPairs: (8192 * 8192) / 2, kvTokensRead: 0, kvLoadSec: 0 }
    );
    expect(prefill.computeSec).toBeGreaterThan(5 * prefill.memorySec);
  });

  it('tensor parallel splits the weights and pays two all-reduces per layer', () => {
    const c = cost(
      { model: 'llama-3.1-70b', gpu: 'H100-SXM', tensorParallelSize: 2, maxModelLen: 16384 },
      decode(1, 0)
    );
    // 70.6e9 × 2 bytes / 2 GPUs / 3.0 TB/s
    expect(c.memorySec).toBeCloseTo(70.6e9 / 3.0e12, 5);
    // 2 × 80 layers × 6 µs NVLink latency, plus a few bytes of hidden state
    expect(c.allReduceSec).toBeGreaterThan(2 * 80 * 6e-6);
    expect(c.allReduceSec).toBeLessThan(2 * 80 * 7e-6);
  });

  it('Mixtral reads only the routed experts at batch 1 and all of them at large batch', () => {
    const one = cost({ model: 'mixtral-8x7b', gpu: 'H200' }, decode(1, 0));
    const many = cost({ model: 'mixtral-8x7b', gpu: 'H200' }, decode(64, 0));
    const bw = 4.3e12; // H200 measured copy rate
    // 12.9B active vs 46.7B total parameters (mistral.ai), 2 bytes each
    expect(one.memorySec).toBeCloseTo((12.9e9 * 2) / bw, 4);
    expect(many.memorySec).toBeCloseTo((46.7e9 * 2) / bw, 3);
  });
});
