import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../config/index.js';
import { edgeSettingsFromEnv, parseEdgeSettings, parseEngineFlags } from './edge-settings.js';

const fromEnv = (env: Record<string, string>): ReturnType<typeof parseEdgeSettings> =>
  parseEdgeSettings(edgeSettingsFromEnv(env, ENV_VARS));

describe('gpu-edge edge-settings', () => {
  it('reads the OI_EDGE_* variables with their defaults', () => {
    const s = fromEnv({ OI_EDGE_NODE: 'gpu-7', OI_EDGE_WORKLOAD: 'wl-1', OI_EDGE_ENGINE: 'vllm' });
    expect(s).toMatchObject({
      node: 'gpu-7',
      workload: 'wl-1',
      engine: 'vllm',
      enginePort: 8000,
      engineCommand: ['vllm', 'serve'],
      engineArgs: ['--max-model-len', '8192'],
      // a vllm node reads its GPUs with nvidia-smi unless told otherwise
      nvidiaSmi: 'nvidia-smi',
    });
    expect(fromEnv({ OI_EDGE_ENGINE: 'sim' }).nvidiaSmi).toBeUndefined();
    expect(fromEnv({ OI_EDGE_ENGINE: 'vllm', OI_NVIDIA_SMI: 'off' }).nvidiaSmi).toBeUndefined();
  });

  it('names the flag, the variable and the rule of a bad value', () => {
    expect(() => fromEnv({ OI_EDGE_ENGINE: 'tgi' })).toThrow(/^--engine \(OI_EDGE_ENGINE\): Invalid option/);
    expect(() => fromEnv({ OI_EDGE_ENGINE_PORT: '70000' })).toThrow('--port (OI_EDGE_ENGINE_PORT): must be ≤ 65535');
    expect(() => fromEnv({ OI_EDGE_WORKLOAD: 'a.b' })).toThrow(
      '--workload (OI_EDGE_WORKLOAD): letters, digits, _ and -, 1-64 chars'
    );
    expect(() => fromEnv({ OI_EDGE_VERIFY_MS: '0' })).toThrow('--verify-ms (OI_EDGE_VERIFY_MS): must be > 0');
  });

  it('parses engine flags the way vllm serve takes them', () => {
    expect(
      parseEngineFlags([
        '--max-model-len',
        '8192',
        '--gpu-memory-utilization=0.9',
        '--enable-prefix-caching',
        '--no-enable-chunked-prefill',
        '--kv-cache-dtype',
        'fp8',
      ])
    ).toEqual({
      'max-model-len': 8192,
      'gpu-memory-utilization': 0.9,
      'enable-prefix-caching': true,
      'enable-chunked-prefill': false,
      'kv-cache-dtype': 'fp8',
    });
    expect(() => parseEngineFlags(['8192'])).toThrow("engine flags: expected --flag, got '8192'");
  });
});
