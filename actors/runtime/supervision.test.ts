import { describe, expect, it } from 'vitest';
import { backoffMs, onFailure, supervisionPolicy } from './supervision.js';

describe('actors supervision', () => {
  it('doubles the backoff per restart up to its ceiling, less the jitter drawn', () => {
    const flat = supervisionPolicy({ backoffInitialMs: 10, backoffMaxMs: 100, jitter: 0 });
    expect([0, 1, 2, 3, 4, 40].map((n) => backoffMs(flat, n))).toEqual([10, 20, 40, 80, 100, 100]);
    const jittered = supervisionPolicy({ backoffInitialMs: 100, jitter: 0.5, random: () => 1 });
    expect(backoffMs(jittered, 0)).toBe(50);
  });

  it('restarts up to maxRestarts within the period, then stops, and forgets restarts older than the period', () => {
    const policy = supervisionPolicy({ maxRestarts: 2, periodMs: 1_000, jitter: 0 });
    let h = onFailure(policy, undefined, 0);
    expect(h.directive).toEqual({ action: 'restart', restarts: 1, delayMs: 10 });
    h = onFailure(policy, h.history, 500);
    expect(h.directive).toEqual({ action: 'restart', restarts: 2, delayMs: 20 });
    const stop = onFailure(policy, h.history, 900);
    expect(stop).toEqual({ directive: { action: 'stop', restarts: 2, delayMs: 1_000 }, history: undefined });
    // at 1_200 the restart at 0 has left the window
    expect(onFailure(policy, h.history, 1_200).directive).toEqual({ action: 'restart', restarts: 2, delayMs: 20 });
  });

  it('refuses a nonsensical policy', () => {
    expect(() => supervisionPolicy({ periodMs: 0 })).toThrow(RangeError);
    expect(() => supervisionPolicy({ jitter: 2 })).toThrow(RangeError);
  });
});
