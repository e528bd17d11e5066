import type { ReportWindow } from './report-window.js';

const DAY_MS = 86_400_000;

/** The whole UTC days inside a window: read from the daily rollups, the hours around them from the hourly one. */
export interface DailySplit {
  dayFrom: Date;
  dayTo: Date;
}

/**
 * Whole days of a 1-hour window (the 1-minute windows are a day at most and stay on their
 * rollup); undefined when the window holds no whole UTC day.
 */
export function dailySplit(w: ReportWindow): DailySplit | undefined {
  if (w.rollup !== '1h') return undefined;
  const dayFrom = Math.ceil(w.from.getTime() / DAY_MS) * DAY_MS;
  const dayTo = Math.floor(w.to.getTime() / DAY_MS) * DAY_MS;
  return dayTo > dayFrom ? { dayFrom: new Date(dayFrom), dayTo: new Date(dayTo) } : undefined;
}
