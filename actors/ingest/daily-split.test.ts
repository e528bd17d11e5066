import { describe, expect, it } from 'vitest';
import { dailySplit } from './daily-split.js';

describe('ingest dailySplit', () => {
  it('keeps the whole UTC days of an hourly window and leaves the hours around them', () => {
    const w = { from: new Date('2026-10-26T14:00:00Z'), to: new Date('2026-11-25T03:00:00Z'), rollup: '1h' as const };
    expect(dailySplit(w)).toEqual({
      dayFrom: new Date('2026-10-27T00:00:00Z'),
      dayTo: new Date('2026-11-25T00:00:00Z'),
    });
  });

  it('takes a window that starts and ends on midnight whole', () => {
    const w = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z'), rollup: '1h' as const };
    expect(dailySplit(w)).toEqual({ dayFrom: w.from, dayTo: w.to });
  });

  it('has nothing for minute windows or hourly windows without a whole day', () => {
    const minutes = {
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
      rollup: '1m' as const,
    };
    expect(dailySplit(minutes)).toBeUndefined();
    const hours = {
      from: new Date('2026-11-01T05:00:00Z'),
      to: new Date('2026-11-02T23:00:00Z'),
      rollup: '1h' as const,
    };
    expect(dailySplit(hours)).toBeUndefined();
  });
});
