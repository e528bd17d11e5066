import type { EngineModel } from '../engine/index.js';
import type { InstanceType, PurchaseOption } from '../cloud/index.js';
import type { EngineArgs } from './engine-args.js';

/**
 * Where a replica stands. `restarting`: engine down for a reconfigure or restart, instance up;
 * `stopped`: drained by an `engine.drain` action, engine down until `engine.restart`.
 */
export const ReplicaState = {
  provisioning: 'provisioning',
  serving: 'serving',
  restarting: 'restarting',
  draining: 'draining',
  stopped: 'stopped',
  terminated: 'terminated',
} as const;
export type ReplicaState = (typeof ReplicaState)[keyof typeof ReplicaState];

/** The cloud instance under a replica, as the cost telemetry reports it. */
export interface ReplicaInstance {
  id: string;
  /** `<provider>:<name>`, the cloud's instance type id. */
  type: string;
  provider: string;
  name: string;
  region: string;
  zone: string;
  gpuId: string;
  gpuCount: number;
  purchaseOption: PurchaseOption;
  /** The catalog price of the type and option (the 1-year commitment's effective rate for reserved). */
  usdPerHour: number;
}

/** One replica inside the fleet simulation. */
export interface Replica {
  node: string;
  args: EngineArgs;
  engine: EngineModel;
  engineSeed: number;
  instance: ReplicaInstance;
  billingStartSec: number;
  terminatedAtSec?: number;
  state: ReplicaState;
  /** After draining: terminate the instance (retire) or only stop the engine (`engine.drain`). */
  terminateWhenDrained: boolean;
  /** Bumped at each engine restart, so a stale restart timer does nothing. */
  generation: number;
  /** A terminated replica appears in one more interval, then leaves the fleet. */
  reportedGone: boolean;
  busySec: number;
  busySecAtLastSample: number;
  lastAdvanceSec: number;
}

/** The engine runs (and may hold requests) only in these states. */
export function engineUp(r: Replica): boolean {
  return r.state === 'serving' || r.state === 'draining';
}

export function replicaInstance(
  id: string,
  type: InstanceType,
  purchaseOption: PurchaseOption,
  zone: string
): ReplicaInstance {
  return {
    id,
    type: type.id,
    provider: type.provider,
    name: type.name,
    region: type.region,
    zone,
    gpuId: type.gpuId,
    gpuCount: type.gpuCount,
    purchaseOption,
    usdPerHour: type.prices[purchaseOption]?.usdPerHour ?? 0,
  };
}

/** Seconds of an instance billed inside (fromSec, toSec]: per second from boot to termination. */
export function billedSecIn(r: Replica, fromSec: number, toSec: number): number {
  const start = Math.max(fromSec, r.billingStartSec);
  const end = Math.min(toSec, r.terminatedAtSec ?? toSec);
  return Math.max(0, end - start);
}
