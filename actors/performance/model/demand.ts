import type { FleetPoint } from '../../agent/analysis.js';

/**
 * Arrival rate of an interval: finished requests/s plus the growth of the backlog (running +
 * waiting), since under overload completions understate what arrives.
 */
export function arrivalRps(p: FleetPoint, prev: FleetPoint | undefined): number {
  if (!prev) return p.requestsPerS;
  const dtS = (p.ts - prev.ts) / 1000;
  const growth = dtS > 0 ? (p.running + p.waiting - (prev.running + prev.waiting)) / dtS : 0;
  return Math.max(0, p.requestsPerS + growth);
}

/** Arrival-rate series of the points (each against its predecessor in `all`). */
export function arrivalSeries(all: readonly FleetPoint[]): Array<{ ts: number; value: number }> {
  return all.map((p, i) => ({ ts: p.ts, value: arrivalRps(p, all[i - 1]) }));
}
