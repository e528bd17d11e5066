import { describe, expect, it } from 'vitest';
import { erlangC, meanWaitS, replicasFor } from './erlang-c.js';

describe('performance/model Erlang C', () => {
  it('matches closed forms: M/M/1 waits with probability ρ; C(2, 1) = 1/3', () => {
    // M/M/1: P(wait) = ρ, Wq = ρ / (μ − λ)
    expect(erlangC(1, 0.6)).toBeCloseTo(0.6, 12);
    expect(meanWaitS(1, 0.6, 1)).toBeCloseTo(0.6 / 0.4, 12);
    // two servers at a = 1: C = (a²/2 · 1/(1 − ρ)) / (1 + a + a²/2 · 1/(1 − ρ)) = 1 / 3
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(meanWaitS(2, 2, 1)).toBe(Infinity);
  });

  it('sizes by utilisation and by queueing, never below one replica', () => {
    expect(replicasFor(0, 1, 0.8, 1)).toBe(1);
    // 8 req/s at 1 req/s each: 10 replicas keep ρ = 0.8; the wait budget then decides
    expect(replicasFor(8, 1, 0.8, 10)).toBe(10);
    expect(replicasFor(8, 1, 0.8, 0.01)).toBeGreaterThan(10);
  });
});
