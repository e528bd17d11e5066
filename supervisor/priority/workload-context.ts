import type { z } from 'zod';
import type { constraintsSpec, operatingMode, ResourceKind } from '../../schemas/index.js';

export type OperatingMode = z.infer<typeof operatingMode>;
export type WorkloadConstraints = z.infer<typeof constraintsSpec>;

/** An operator's pin: no agent may change `resource` (until `untilMs`, if set). */
export interface ResourcePin {
  resource: ResourceKind;
  by: string;
  untilMs?: number;
}

/** What the supervisor knows of a workload when it arbitrates (from the registry and telemetry). */
export interface WorkloadContext {
  workload: string;
  mode: OperatingMode;
  /** Serving replicas now: the capacity that risk and blast radius are measured against. */
  replicas: number;
  /** Current spend, for `max_cost_increase_pct`. */
  usdPerMonth: number;
  /** Current share of requests meeting the SLO, for `min_slo_attainment`; unknown skips that check. */
  sloAttainment?: number;
  constraints: WorkloadConstraints;
  pins?: ResourcePin[];
}
