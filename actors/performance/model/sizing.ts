import type { Observation } from '../../agent/analysis.js';
import { estimateCapacity, type CapacityOptions, type ReplicaCapacity, dominantInstance } from './capacity.js';
import { replicasFor } from './erlang-c.js';
import { provisionDelayS } from './money-risk.js';
import { percentile } from './stats.js';

/** What every replica-count decision needs: capacity, current count, queueing budget, prices. */
export interface Sizing {
  cap: ReplicaCapacity;
  /** Replicas serving now (nodes in the inventory). */
  replicas: number;
  instanceType: string;
  /** Capacity one replica may be loaded to: μ × (1 − headroom). */
  usableRpsPerReplica: number;
  maxWaitS: number;
  intervalS: number;
  provisionDelayS: number;
  /** On-demand price of one more replica of the dominant type (new capacity launches on demand). */
  onDemandUsdPerHour: number;
  /** Replicas needed for arrival rate λ: utilisation ≤ 1 − headroom and Erlang-C wait ≤ budget. */
  needed(lambdaPerS: number): number;
}

export interface SizingOptions {
  capacity: CapacityOptions;
  headroom: number;
  queueWaitShareOfTtft: number;
  defaultTtftTargetMs: number;
  defaultProvisionDelayS: number;
}

export function sizingOf(obs: Observation, o: SizingOptions): Sizing | undefined {
  const cap = estimateCapacity(obs, o.capacity);
  const inst = dominantInstance(obs);
  if (!cap || !inst || !(cap.rpsPerReplica > 0)) return undefined;
  const ttftMs = obs.spec.slo.ttft_p95_ms ?? o.defaultTtftTargetMs;
  const maxWaitS = (ttftMs * o.queueWaitShareOfTtft) / 1000;
  const dts = obs.history.slice(-10).map((p, i, a) => (i ? (p.ts - a[i - 1]!.ts) / 1000 : NaN));
  const intervalS = percentile(dts, 0.5) || 10;
  const price = obs.prices.instanceTypes.find((t) => t.id === inst.instanceType);
  const mu = cap.rpsPerReplica;
  return {
    cap,
    replicas: obs.inventory.length,
    instanceType: inst.instanceType,
    usableRpsPerReplica: mu * (1 - o.headroom),
    maxWaitS,
    intervalS,
    provisionDelayS: provisionDelayS(obs, inst.instanceType, o.defaultProvisionDelayS),
    onDemandUsdPerHour: price?.usdPerHour.on_demand ?? obs.inventory[0]?.usdPerHour ?? 0,
    needed: (lambda) => replicasFor(lambda, mu, 1 - o.headroom, maxWaitS),
  };
}
