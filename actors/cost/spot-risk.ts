import type { EngineTelemetry } from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';
import { HOURS_PER_MONTH } from '../performance/index.js';

/** Chance an instance is interrupted at least once in a month at λ per hour (Poisson). */
export const monthlyInterruption = (perHour: number): number => 1 - Math.exp(-perHour * HOURS_PER_MONTH);

/**
 * Spot interruptions per instance-hour the window shows: nodes whose engine went down over the
 * spot node-hours observed. Only spot nodes are reclaimed, so a down node counts against spot.
 */
export function observedInterruptionsPerHour(obs: Observation): { perHour: number; lost: number; nodeHours: number } {
  const since = obs.now - obs.windowMs;
  const lost = new Set<string>();
  const seen = new Map<string, { first: number; last: number }>();
  for (const s of obs.engine) {
    if (s.ts <= since) continue;
    const d: EngineTelemetry = s.data;
    const r = seen.get(d.node) ?? { first: s.ts, last: s.ts };
    r.last = s.ts;
    seen.set(d.node, r);
    if (!d.up) lost.add(d.node);
  }
  const spotNodes = new Set(obs.inventory.filter((n) => n.purchaseOption === 'spot').map((n) => n.node));
  for (const n of lost) if (!obs.inventory.some((i) => i.node === n && i.purchaseOption !== 'spot')) spotNodes.add(n);
  let nodeHours = 0;
  for (const n of spotNodes) {
    const r = seen.get(n);
    nodeHours += r ? Math.max(r.last - r.first, 1) / 3_600_000 : 0;
  }
  const lostSpot = [...lost].filter((n) => spotNodes.has(n)).length;
  return { perHour: nodeHours > 0 ? lostSpot / nodeHours : 0, lost: lostSpot, nodeHours };
}
