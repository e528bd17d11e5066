import type { MissionContext, Policy, PolicyEntry } from '../policy.js';
import { staticPeakSize } from './sizing.js';

/**
 * A fixed on-demand pool of one GPU type sized for the trace's peak at the SLO: peak = most
 * arrivals in any `calibration.peakWindowSec` window, per second; capacity = the calibration replay's
 * rate on one replica. It never changes.
 */
export const staticPeak: PolicyEntry = {
  name: 'static-peak',
  create(ctx: MissionContext): Policy {
    const n = staticPeakSize(ctx);
    const plan = { instanceType: ctx.baseline.instanceType, purchaseOption: ctx.baseline.purchaseOption };
    return {
      name: 'static-peak',
      initialFleet: () => Array.from({ length: n }, () => plan),
      onInterval: () => undefined,
    };
  },
};
