import { describe, expect, it } from 'vitest';
import { EngineConfigError, applyEngineChanges, describeChange, parseEngineConfig, vllmArgs } from './engine-config.js';

const base = parseEngineConfig({ v: 1, model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192 });

describe('gpu-edge engine-config', () => {
  it('applies flag changes by their vLLM names, null restoring the default', () => {
    const next = applyEngineChanges(base, {
      'gpu-memory-utilization': 0.85,
      'enable-prefix-caching': true,
      'max-model-len': null,
    });
    expect(next).toEqual({
      v: 1,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      gpuMemoryUtilization: 0.85,
      enablePrefixCaching: true,
    });
    expect(describeChange(base, next)).toBe(
      'gpu-memory-utilization: default → 0.85, max-model-len: 8192 → default, enable-prefix-caching: default → true'
    );
  });

  it('names the flag and the rule of a bad change', () => {
    expect(() => applyEngineChanges(base, { 'gpu-memory-utilization': 1.5 })).toThrow(
      /^gpu-memory-utilization: .*\(too_big\)$/
    );
    expect(() => applyEngineChanges(base, { 'max-num-seqs': 'many' })).toThrow(/^max-num-seqs: .*\(invalid_type\)$/);
    expect(() => applyEngineChanges(base, { 'block-size': 32 })).toThrow(
      /^block-size: not an engine flag the edge manages; known: model, gpu-memory-utilization/
    );
    expect(() => applyEngineChanges(base, { 'kv-offloading-backend': 'native' })).toThrow(
      /^kv-offloading-size: kv-offloading-backend needs kv-offloading-size/
    );
    expect(() => applyEngineChanges(base, { 'max-num-seqs': 512, 'max-num-batched-tokens': 256 })).toThrow(
      EngineConfigError
    );
  });

  it('builds `vllm serve` arguments: the model first, switches as --x / --no-x', () => {
    const c = applyEngineChanges(base, {
      'tensor-parallel-size': 2,
      'kv-cache-dtype': 'fp8',
      'enable-prefix-caching': false,
      'kv-offloading-size': 64,
      'kv-offloading-backend': 'native',
      quantization: 'fp8',
    });
    expect(vllmArgs(c)).toEqual([
      'meta-llama/Llama-3.1-8B-Instruct',
      '--max-model-len',
      '8192',
      '--kv-cache-dtype',
      'fp8',
      '--no-enable-prefix-caching',
      '--kv-offloading-size',
      '64',
      '--kv-offloading-backend',
      'native',
      '--tensor-parallel-size',
      '2',
      '--quantization',
      'fp8',
    ]);
  });

  it('refuses a persisted config of another version or with unknown fields', () => {
    expect(() => parseEngineConfig({ v: 2, model: 'x' })).toThrow(/^v: .*\(invalid_value\)$/);
    expect(() => parseEngineConfig({ v: 1, model: 'x', blockSize: 16 })).toThrow(/unrecognized_keys/);
  });
});
