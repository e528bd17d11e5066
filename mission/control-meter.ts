import type { FleetControl } from '../sim/index.js';

/** A FleetControl that counts the calls a policy makes (its decisions) and passes them through. */
export function meteredControl(control: FleetControl): { control: FleetControl; calls: () => number } {
  let calls = 0;
  const metered: FleetControl = {
    launchReplica: (opts) => {
      calls++;
      return control.launchReplica(opts);
    },
    retireReplica: (node) => {
      calls++;
      return control.retireReplica(node);
    },
    reconfigureReplica: (node, changes) => {
      calls++;
      return control.reconfigureReplica(node, changes);
    },
    setRouting: (policy, weights) => {
      calls++;
      control.setRouting(policy, weights);
    },
    replicas: () => control.replicas(),
  };
  return { control: metered, calls: () => calls };
}
