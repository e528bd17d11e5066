import type { PurchaseOption } from '../../schemas/index.js';

export type { PurchaseOption };

/** A price with where it was read: every figure in the simulator can be traced to its source. */
export interface PriceQuote {
  usdPerHour: number;
  /** Source key and what was read (gpu-prices.md §2), or `assumption: …` when no figure exists. */
  source: string;
  /** Date of the source; `unknown` where the source shows none. */
  asOf: string;
  /** True when the figure is a labelled assumption, not a catalog value. */
  assumed: boolean;
  /** How the figure was obtained (e.g. `1-yr Standard RI, no upfront, effective hourly`). */
  basis: string;
}

export interface InstanceType {
  /** `<provider>:<name>`, e.g. `aws:p5.48xlarge`. */
  id: string;
  provider: string;
  name: string;
  region: string;
  zones: readonly string[];
  /** GPU id as in sim/catalog (`H100-SXM`, `A100-80GB`, …). */
  gpuId: string;
  gpuCount: number;
  /** Per GPU, as the provider lists it (GB). */
  gpuMemoryGb: number;
  /** Absent option = not offered by that provider for that type. */
  prices: Partial<Record<PurchaseOption, PriceQuote>>;
  /** Spot interruptions per instance-hour used by the simulator, with its basis. */
  spotInterruptionsPerHour?: { value: number; basis: string };
}

export const InstanceState = {
  pending: 'pending',
  running: 'running',
  interrupting: 'interrupting',
  terminated: 'terminated',
} as const;
export type InstanceState = (typeof InstanceState)[keyof typeof InstanceState];

export type TerminationReason = 'requested' | 'spot_interruption';

export interface InstanceDescription {
  id: string;
  instanceType: string;
  purchaseOption: PurchaseOption;
  zone: string;
  state: InstanceState;
  launchedAtSec: number;
  /** When the node booted and billing began. */
  billingStartSec: number;
  /** When the node booted and the model weights were loaded (state `running`). */
  readyAtSec: number;
  interruptionNoticeAtSec?: number;
  terminatedAtSec?: number;
  terminationReason?: TerminationReason;
  reservationId?: string;
  costUsd: number;
}

export interface Reservation {
  id: string;
  instanceType: string;
  count: number;
  startSec: number;
  endSec: number;
  usdPerHour: number;
  /** Slots taken by live instances now. */
  inUse: number;
  costUsd: number;
}

export type CloudEvent =
  | { kind: 'instance_running'; instanceId: string; atSec: number }
  | { kind: 'spot_interruption_notice'; instanceId: string; atSec: number; terminateAtSec: number }
  | { kind: 'instance_terminated'; instanceId: string; atSec: number; reason: TerminationReason };

export interface CostReport {
  atSec: number;
  totalUsd: number;
  byPurchaseOption: Record<PurchaseOption, number>;
  byInstance: Record<string, number>;
  byReservation: Record<string, number>;
}

export interface LaunchOptions {
  /** Bytes of model weights read from disk before the replica serves; drives provisioning delay. */
  weightsBytes?: number;
}
