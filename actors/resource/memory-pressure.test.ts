import { describe, expect, it } from 'vitest';
import { getModel, kvBytesPerToken, MODELS } from '../../sim/index.js';
import {
  DEFAULT_RESOURCE_CONFIG as CFG,
  MODEL_KV,
  kvBytesPerTokenOf,
  memoryPressure,
  resourceConfig,
  type NodeMemory,
} from './index.js';

const node = (over: Partial<NodeMemory> = {}): NodeMemory => ({
  node: 'n1',
  model: 'llama-3.1-8b',
  samples: 30,
  downSamples: 0,
  restarts: 0,
  kvUsageMean: 0.5,
  kvUsageP95: 0.5,
  kvCapacityTokens: 100_000,
  preemptions: 0,
  finished: 1000,
  runningMean: 10,
  runningMax: 12,
  waitingMean: 0,
  waitingMax: 0,
  promptTokensPerRequest: 1000,
  outputTokensPerRequest: 200,
  prefixHitRate: null,
  kvDemandTokensP95: 50_000,
  gpuMemoryUsedShare: 0.92,
  gpuMemoryTotalGib: 79.6,
  gpuCount: 1,
  generationTokensPerS: 500,
  windowS: 290,
  ...over,
});

describe('actors resource memory pressure score', () => {
  it('is 0 for a node with slack and 100 when every part is full', () => {
    expect(memoryPressure(node(), CFG)).toMatchObject({ score: 0, severity: 'low' });
    const full = memoryPressure(
      node({ kvUsageP95: 1, preemptions: 100, waitingMean: 20, gpuMemoryUsedShare: 0.99, restarts: 1 }),
      CFG
    );
    expect(full).toMatchObject({ score: 100, severity: 'critical', oomEvents: 1 });
  });

  it('weighs each part as documented: 30 kv, 30 preemption, 15 waiting, 10 GPU memory, 15 OOM', () => {
    // kv: (0.89 − 0.80) ÷ 0.18 = 0.5 → 15; preemption: 25 ÷ 1000 ÷ 0.05 = 0.5 → 15;
    // waiting: 5 ÷ 10 = 0.5 → 7.5; GPU memory: (0.95 − 0.92) ÷ 0.06 = 0.5 → 5; no OOM → 0
    const p = memoryPressure(
      node({ kvUsageP95: 0.89, preemptions: 25, waitingMean: 5, gpuMemoryUsedShare: 0.95 }),
      CFG
    );
    expect(p.parts.kv).toBeCloseTo(0.5, 9);
    expect(p.parts.preemption).toBeCloseTo(0.5, 9);
    expect(p.parts.waiting).toBeCloseTo(0.5, 9);
    expect(p.parts.gpuMemory).toBeCloseTo(0.5, 9);
    expect(p.score).toBe(42.5);
    expect(p.severity).toBe('medium');
    // seed 000 §8.4.1 bands: > 60 high, > 80 critical
    expect(memoryPressure(node({ kvUsageP95: 0.98, preemptions: 50, downSamples: 1 }), CFG)).toMatchObject({
      score: 75,
      severity: 'high',
    });
  });

  it('refuses weights that do not sum to 100, naming the field', () => {
    expect(() =>
      resourceConfig({ pressureWeights: { kv: 50, preemption: 30, waiting: 15, gpuMemory: 10, oom: 15 } })
    ).toThrow(/pressureWeights: must sum to 100, got 120/);
  });
});

describe('actors resource model KV table', () => {
  it('agrees with sim/catalog (config.json figures) for every model, under every name', () => {
    expect(MODEL_KV.map((m) => m.id).sort()).toEqual(Object.keys(MODELS).sort());
    for (const m of MODEL_KV) {
      expect(m.kvBytesPerToken, m.id).toBe(kvBytesPerToken(getModel(m.id)));
      for (const name of m.names) expect(kvBytesPerTokenOf(name), name).toBe(m.kvBytesPerToken);
    }
    expect(kvBytesPerTokenOf('llama-3.1-8b', 'fp8')).toBe(kvBytesPerToken(getModel('llama-3.1-8b'), 'fp8'));
    expect(kvBytesPerTokenOf('some/unknown-model')).toBeUndefined();
  });
});
