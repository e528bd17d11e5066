import type { MissionContext } from '../policy.js';

/** Replicas of the baseline offer whose calibrated capacities cover the trace's peak rate. */
export function staticPeakSize(ctx: MissionContext): number {
  return Math.max(1, Math.ceil(ctx.trace.peakRatePerSec / ctx.baseline.capacityPerSec - 1e-9));
}

/**
 * Replicas an operator deploys before turning an autoscaler on: enough baseline replicas for the
 * trace's first `peakWindowSec` (the autoscaler takes it from there).
 */
export function openingSize(ctx: MissionContext, min: number, max: number): number {
  const w = ctx.config.calibration.peakWindowSec;
  const opening = ctx.trace.requests.filter((r) => r.arrivalSec < w).length / w;
  return Math.min(max, Math.max(min, Math.ceil(opening / ctx.baseline.capacityPerSec - 1e-9)));
}
