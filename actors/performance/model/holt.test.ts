import { describe, expect, it } from 'vitest';
import { holtForecast } from './holt.js';

const o = { alpha: 0.5, beta: 0.2, burstSigmas: 3, trendPoints: 30, trendMinT: 3 };
const series = (f: (i: number) => number, n: number, stepMs = 10_000) =>
  Array.from({ length: n }, (_, i) => ({ ts: i * stepMs, value: f(i) }));

describe('performance/model Holt forecast', () => {
  it('extrapolates a clean ramp exactly', () => {
    const fc = holtForecast(
      series((i) => 1 + 0.1 * i, 60),
      36,
      10_000,
      o
    );
    // the 60th point is 6.9; 36 steps on at 0.1 per step
    expect(fc.value).toBeCloseTo(6.9 + 3.6, 1);
    expect(fc.burst).toBe(false);
  });

  it('does not extrapolate noise: a flat noisy series keeps its level', () => {
    const noise = [0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.4, -0.3, 0.1];
    const fc = holtForecast(
      series((i) => 5 + noise[i % noise.length]!, 60),
      36,
      10_000,
      o
    );
    expect(fc.trendPerStep).toBeLessThanOrEqual(0);
    expect(Math.abs(fc.value - 5)).toBeLessThan(0.6);
  });

  it('holds a burst at its height instead of following its slope', () => {
    const noise = [0.1, -0.1, 0.05, -0.05];
    const fc = holtForecast(
      series((i) => (i === 59 ? 20 : 5 + noise[i % 4]!), 60),
      36,
      10_000,
      o
    );
    expect(fc.burst).toBe(true);
    expect(fc.value).toBeGreaterThanOrEqual(20);
  });

  it('adds a daily term only once two days of history exist', () => {
    const hourly = (i: number): number => 10 + 5 * Math.sin((2 * Math.PI * (i % 24)) / 24);
    const oneDay = holtForecast(series(hourly, 24, 3_600_000), 6, 3_600_000, o);
    const threeDays = holtForecast(series(hourly, 72, 3_600_000), 6, 3_600_000, o);
    expect(oneDay.seasonal).toBe(0);
    // 6 hours after the last point (hour 71 → hour 5 of the day): 10 + 5·sin(2π·5/24) ≈ 14.83
    expect(threeDays.seasonal).toBeCloseTo(5 * Math.sin((2 * Math.PI * 5) / 24), 6);
  });
});
