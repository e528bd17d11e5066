import { describe, expect, it } from 'vitest';
import { EpochGuard } from './epoch-guard.js';

describe('leases EpochGuard', () => {
  it('accepts the first epoch, equal and higher ones, and rejects lower ones with a clear reason', () => {
    const g = new EpochGuard();
    expect(g.check(7, 4)).toEqual({ ok: true });
    expect(g.check(7, 5)).toEqual({ ok: true });
    expect(g.check(7, 5)).toEqual({ ok: true });
    expect(g.check(7, 4)).toEqual({ ok: false, reason: 'stale epoch 4 for partition 7: highest seen is 5' });
    expect(g.highest(7)).toBe(5);
  });

  it('keeps marks per partition, numbers and names alike', () => {
    const g = new EpochGuard();
    g.check(1, 9);
    expect(g.check(2, 1).ok).toBe(true);
    g.check('singleton.supervisor', 3);
    expect(g.check('singleton.supervisor', 2).ok).toBe(false);
    expect(g.check('1', 8).ok).toBe(false);
  });

  it('rejects epochs that are not positive integers', () => {
    const g = new EpochGuard();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const r = g.check(3, bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/invalid epoch/);
    }
    expect(g.highest(3)).toBeUndefined();
  });

  it('round-trips a snapshot and keeps the higher mark on restore', () => {
    const g = new EpochGuard();
    g.check(1, 4);
    g.check(2, 7);
    const snap = g.snapshot();
    expect(snap).toEqual({ v: 1, highest: { '1': 4, '2': 7 } });
    const r = new EpochGuard();
    r.check(2, 9);
    r.restore(JSON.parse(JSON.stringify(snap)));
    expect(r.highest(1)).toBe(4);
    expect(r.highest(2)).toBe(9);
    expect(r.check(1, 3).ok).toBe(false);
  });

  it('refuses a malformed snapshot', () => {
    expect(() => new EpochGuard().restore({ v: 2, highest: {} })).toThrow();
    expect(() => new EpochGuard().restore({ v: 1, highest: { '1': 'x' } })).toThrow();
  });
});
