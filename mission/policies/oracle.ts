import type { FleetControl, FleetInterval, PurchaseOption } from '../../sim/index.js';
import { planOracle, type OraclePlan } from '../oracle-plan.js';
import {
  offerKey,
  type MissionContext,
  type Offer,
  type Policy,
  type PolicyEntry,
  type ReplicaPlan,
} from '../policy.js';
import { scaleTo } from './fleet-actions.js';

const planOf = (key: string): ReplicaPlan => {
  const i = key.lastIndexOf('/');
  return { instanceType: key.slice(0, i), purchaseOption: key.slice(i + 1) as PurchaseOption };
};

/**
 * The oracle bound, replayed: per slot the cheapest mix of every allowed offer covering the
 * slot's arrival rate (`planOracle`), launched early by each offer's provisioning lead plus one
 * telemetry interval (perfect foresight), kept while a later slot within that lead still needs
 * it, retired when no slot in sight does. Spot interruptions are switched off for its replay.
 */
export class OraclePolicy implements Policy {
  readonly name = 'oracle';
  readonly ignoresInterruptions = true;
  readonly #keys: string[];
  constructor(
    readonly plan: OraclePlan,
    readonly offers: readonly Offer[],
    readonly intervalSec: number
  ) {
    this.#keys = [...new Set(plan.slots.flatMap((s) => Object.keys(s.mix)))].sort();
  }

  initialFleet(): ReplicaPlan[] {
    return Object.entries(this.plan.slots[0]!.mix).flatMap(([key, n]) => Array.from({ length: n }, () => planOf(key)));
  }

  /** The most replicas of `key` any slot overlapping [from, to] needs. */
  #needIn(key: string, fromSec: number, toSec: number): number {
    const slots = this.plan.slots;
    const first = Math.max(0, Math.min(slots.length - 1, Math.floor(fromSec / this.plan.slotSec)));
    const last = Math.max(0, Math.min(slots.length - 1, Math.floor(toSec / this.plan.slotSec)));
    let n = 0;
    for (let k = first; k <= last; k++) n = Math.max(n, slots[k]!.mix[key] ?? 0);
    return n;
  }

  async onInterval(i: FleetInterval, control: FleetControl): Promise<void> {
    for (const key of this.#keys) {
      const offer = this.offers.find((o) => offerKey(o) === key)!;
      const horizon = i.tSec + offer.leadSec + this.intervalSec;
      // the slot starting right at this boundary counts as the current one
      await scaleTo(control, planOf(key), this.#needIn(key, i.tSec + 1e-6, horizon));
    }
  }
}

export const oracle: PolicyEntry = {
  name: 'oracle',
  create(ctx: MissionContext): Policy {
    const plan = planOracle(
      ctx.trace.requests.map((r) => r.arrivalSec),
      ctx.offers,
      ctx.config.policies.oracle.slotSec
    );
    return new OraclePolicy(plan, ctx.offers, ctx.config.telemetryIntervalSec);
  },
};
