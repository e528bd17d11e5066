import type { FleetControl } from '../../sim/index.js';
import { offerKey, type ReplicaPlan } from '../policy.js';

type ListedReplica = ReturnType<FleetControl['replicas']>[number];

/** Replicas of one instance type and purchase option that are not leaving (provisioning or serving). */
export function activeOf(control: FleetControl, plan: ReplicaPlan): ListedReplica[] {
  const key = offerKey(plan);
  return control.replicas().filter((r) => r.state !== 'draining' && offerKey(r) === key);
}

/**
 * Brings the replicas of `plan` that are not leaving to `target`: launches the missing ones, or
 * retires the surplus, those still provisioning first, then the newest serving. Returns the calls made.
 */
export async function scaleTo(control: FleetControl, plan: ReplicaPlan, target: number): Promise<number> {
  const active = activeOf(control, plan);
  let calls = 0;
  for (let n = active.length; n < target; n++) {
    await control.launchReplica({ instanceType: plan.instanceType, purchaseOption: plan.purchaseOption });
    calls++;
  }
  if (active.length > target) {
    const order = [
      ...active.filter((r) => r.state === 'provisioning'),
      ...active.filter((r) => r.state !== 'provisioning').reverse(),
    ];
    for (const r of order.slice(0, active.length - target)) {
      await control.retireReplica(r.node);
      calls++;
    }
  }
  return calls;
}
