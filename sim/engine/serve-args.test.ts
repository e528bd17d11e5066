import { describe, expect, it } from 'vitest';
import { parseServeArgs } from './index.js';

describe('sim/engine serve flags', () => {
  it('reads vLLM flag names, --flag=value and a leading positional model', () => {
    const o = parseServeArgs([
      'meta-llama/Llama-3.1-8B-Instruct',
      '--gpu',
      'H100-SXM',
      '--port=8123',
      '--gpu-memory-utilization',
      '0.85',
      '--max-num-seqs',
      '128',
      '--max-num-batched-tokens',
      '4096',
      '--max-model-len',
      '8192',
      '--kv-cache-dtype',
      'fp8_e4m3',
      '--no-enable-prefix-caching',
      '-tp',
      '2',
      '--speed',
      '20',
    ]);
    expect(o).toMatchObject({
      port: 8123,
      speed: 20,
      engine: {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'H100-SXM',
        gpuMemoryUtilization: 0.85,
        maxNumSeqs: 128,
        maxNumBatchedTokens: 4096,
        maxModelLen: 8192,
        kvCacheDtype: 'fp8',
        enablePrefixCaching: false,
        tensorParallelSize: 2,
      },
    });
  });

  it.each([
    [['--model', 'm', '--gpu', 'L4', '--bogus', '1'], /^--bogus: unknown flag/],
    [['--model', 'm', '--gpu', 'L4', '--max-num-seqs', 'many'], /^--max-num-seqs: must be an integer ≥ 1, got 'many'/],
    [
      ['--model', 'm', '--gpu', 'L4', '--gpu-memory-utilization', '1.5'],
      /^--gpu-memory-utilization: must be in \(0, 1\]/,
    ],
    [['--model', 'm', '--gpu', 'L4', '--kv-cache-dtype', 'int3'], /^--kv-cache-dtype: must be one of/],
    [['--model', 'm', '--gpu', 'L4', '--port'], /^--port: missing value/],
    [['--gpu', 'L4'], /^--model: required/],
    [['--model', 'm'], /^--gpu: required/],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message);
  });
});
