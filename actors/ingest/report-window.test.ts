import { describe, expect, it } from 'vitest';
import { resolveWindow } from './report-window.js';

const now = new Date('2026-11-24T14:40:50.123Z');

describe('ingest resolveWindow', () => {
  it('defaults to the last hour, widened to whole minutes', () => {
    expect(resolveWindow({}, now)).toEqual({
      from: new Date('2026-11-24T13:40:00.000Z'),
      to: new Date('2026-11-24T14:41:00.000Z'),
      rollup: '1m',
    });
  });

  it('reads a day from the 1-minute rollup and anything longer from the 1-hour rollup', () => {
    const day = resolveWindow({ from: '2026-11-23T14:00:00Z', to: '2026-11-24T14:00:00Z' }, now);
    expect(day.rollup).toBe('1m');
    const week = resolveWindow({ from: '2026-11-17T14:30:00Z', to: '2026-11-24T14:30:00Z' }, now);
    expect(week).toEqual({
      from: new Date('2026-11-17T14:00:00.000Z'),
      to: new Date('2026-11-24T15:00:00.000Z'),
      rollup: '1h',
    });
  });
});
