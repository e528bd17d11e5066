import { describe, expect, it } from 'vitest';
import { QUALITY_MATRIX, createQualityModel } from './index.js';

describe('sim/engine quality model', () => {
  it('anchors Llama-3.1-8B general chat on seed 004 (Local Llama 3.1-8B quality 0.55)', () => {
    expect(QUALITY_MATRIX['llama-3.1-8b'].chat).toBe(0.55);
    expect(createQualityModel().expected('llama-3.1-8b', 'chat')).toBe(0.55);
  });

  it('applies the configured precision deltas', () => {
    const q = createQualityModel({ deltas: { weightInt4: -0.03 } });
    expect(q.expected('qwen2.5-32b', 'code', { weightDtype: 'int4' })).toBeCloseTo(0.74 - 0.03, 9);
    expect(q.expected('qwen2.5-32b', 'code', { weightDtype: 'fp8', kvCacheDtype: 'fp8' })).toBeCloseTo(
      0.74 - 0.005 - 0.003,
      9
    );
  });

  it('draws seeded noise around the mean, the same for the same seed', () => {
    const draw = (seed: number): number[] => {
      const q = createQualityModel({ seed, noiseSd: 0.05 });
      return Array.from({ length: 2000 }, () => q.sample('llama-3.1-70b', 'reasoning'));
    };
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean).toBeCloseTo(0.72, 2);
    expect(a.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  it('names the field for an unknown task class', () => {
    expect(() => createQualityModel().expected('llama-3.1-8b', 'poetry' as never)).toThrow(/^task: must be one of/);
  });
});
