/** Billing arithmetic of the simulated cloud: per-second, from node boot to termination. */

/** Seconds billed for an instance booted at `startSec`, alive until `endSec` (or still alive). */
export function billedSeconds(startSec: number, endSec: number, terminated: boolean, minimumSec: number): number {
  const elapsed = endSec - startSec;
  if (elapsed <= 0) return 0;
  // per-second increments: a started second is billed whole
  const whole = Math.ceil(elapsed - 1e-9);
  return terminated ? Math.max(whole, minimumSec) : whole;
}

export function usdFor(usdPerHour: number, seconds: number): number {
  return (usdPerHour * seconds) / 3600;
}

/** A commitment bills its hourly rate from purchase to the end of its term, used or not. */
export function reservationUsd(
  usdPerHour: number,
  count: number,
  startSec: number,
  endSec: number,
  nowSec: number
): number {
  const seconds = Math.max(0, Math.min(nowSec, endSec) - startSec);
  return usdFor(usdPerHour, seconds) * count;
}
