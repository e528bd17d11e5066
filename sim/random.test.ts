import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';

describe('createRng', () => {
  it('repeats the same sequence for a seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('draws uniforms in [0,1) with mean near 1/2 and exponentials with the asked mean', () => {
    const r = createRng(7);
    let sum = 0;
    let sumExp = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      sumExp += r.exponential(3);
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(sumExp / n).toBeGreaterThan(2.85);
    expect(sumExp / n).toBeLessThan(3.15);
  });

  it('forks independent, reproducible streams by label', () => {
    const a = createRng(1).fork('replica-1').next();
    expect(createRng(1).fork('replica-1').next()).toBe(a);
    expect(createRng(1).fork('replica-2').next()).not.toBe(a);
  });

  it('refuses a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(/seed/);
  });
});
