import { offerKey, type Offer } from './policy.js';

/** Capacity is counted in steps of this many requests per second (offers' capacities rounded down). */
const UNIT_PER_SEC = 0.01;

export interface SlotPlan {
  startSec: number;
  demandPerSec: number;
  /** Replicas per offer key (`instanceType/purchaseOption`). */
  mix: Record<string, number>;
  usdPerHour: number;
}

export interface OraclePlan {
  slotSec: number;
  slots: SlotPlan[];
  /** Σ slot price × slot length: the plan's cost with instant, free provisioning. */
  boundUsd: number;
}

/**
 * The cheapest integer mix of offers whose capacities sum to at least `demandPerSec` (at least one
 * replica): exact unbounded min-cost covering by dynamic programming over capacity units.
 */
export function cheapestMix(
  offers: readonly Offer[],
  demandPerSec: number
): { mix: Record<string, number>; usdPerHour: number } {
  const usable = offers.filter((o) => o.capacityPerSec >= UNIT_PER_SEC);
  if (usable.length === 0) throw new Error('oracle: no offer has capacity on this trace');
  const units = usable.map((o) => Math.floor(o.capacityPerSec / UNIT_PER_SEC));
  const need = Math.max(1, Math.ceil(demandPerSec / UNIT_PER_SEC - 1e-9));
  const cost = new Float64Array(need + 1).fill(Infinity);
  const pick = new Int32Array(need + 1).fill(-1);
  cost[0] = 0;
  for (let d = 1; d <= need; d++) {
    for (let i = 0; i < usable.length; i++) {
      const c = usable[i]!.usdPerHour + cost[Math.max(0, d - units[i]!)]!;
      // ties go to the earlier offer: deterministic
      if (c < cost[d]! - 1e-12) {
        cost[d] = c;
        pick[d] = i;
      }
    }
  }
  const mix: Record<string, number> = {};
  for (let d = need; d > 0; d = Math.max(0, d - units[pick[d]!]!)) {
    const key = offerKey(usable[pick[d]!]!);
    mix[key] = (mix[key] ?? 0) + 1;
  }
  return { mix, usdPerHour: cost[need]! };
}

/**
 * Per slot of `slotSec`, the cheapest mix covering the slot's arrival rate (arrivals in the slot /
 * slot length). The replay runs past the last arrival while requests finish: the last slot's mix
 * holds until then.
 */
export function planOracle(arrivalsSec: readonly number[], offers: readonly Offer[], slotSec: number): OraclePlan {
  const lastSec = arrivalsSec.length ? arrivalsSec[arrivalsSec.length - 1]! : 0;
  const counts = new Array<number>(Math.floor(lastSec / slotSec) + 1).fill(0);
  for (const t of arrivalsSec) counts[Math.floor(t / slotSec)]!++;
  const slots = counts.map((n, k) => {
    const demandPerSec = n / slotSec;
    return { startSec: k * slotSec, demandPerSec, ...cheapestMix(offers, demandPerSec) };
  });
  const boundUsd = slots.reduce((usd, s) => usd + (s.usdPerHour * slotSec) / 3600, 0);
  return { slotSec, slots, boundUsd };
}
