import { describe, expect, it } from 'vitest';
import { studentTCdf, welchLower } from './index.js';

describe('actors application welch test', () => {
  it("matches Student's t CDF values from R's pt()", () => {
    expect(studentTCdf(-2, 10)).toBeCloseTo(0.03669402, 7); // pt(-2, 10)
    expect(studentTCdf(1.812461, 10)).toBeCloseTo(0.95, 6); // qt(0.95, 10) = 1.812461
    expect(studentTCdf(-2.228139, 10)).toBeCloseTo(0.025, 6); // qt(0.025, 10)
    expect(studentTCdf(-1, 8)).toBeCloseTo(0.1732968, 6); // pt(-1, 8)
    expect(studentTCdf(0, 3)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(-1.959964, 1e7)).toBeCloseTo(0.025, 5); // → normal as df grows
  });

  it('computes t and the Welch–Satterthwaite df by hand on a small example', () => {
    // before: mean 3, var 2.5; after: mean 2, var 2.5; se = √(2.5/5 + 2.5/5) = 1 ⇒ t = −1;
    // df = (0.5 + 0.5)² / (0.5²/4 + 0.5²/4) = 8
    const r = welchLower([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]);
    expect(r).toMatchObject({ meanBefore: 3, meanAfter: 2, t: -1, df: 8 });
    expect(r.pLower).toBeCloseTo(0.1732968, 6);
    // unequal variances: df falls below n1 + n2 − 2
    const u = welchLower([10, 10.1, 9.9, 10.05, 9.95], [8, 12, 6, 14, 9]);
    expect(u.df).toBeLessThan(8);
    expect(u.df).toBeGreaterThan(3);
  });

  it('handles identical samples and refuses samples too small to have a variance', () => {
    expect(welchLower([1, 1, 1], [0.5, 0.5, 0.5]).pLower).toBe(0);
    expect(welchLower([1, 1, 1], [1, 1, 1]).pLower).toBe(1);
    expect(() => welchLower([1], [1, 2])).toThrow(/at least 2 values/);
  });
});
