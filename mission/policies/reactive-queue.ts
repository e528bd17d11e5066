import type { FleetControl, FleetInterval } from '../../sim/index.js';
import type { MissionConfig } from '../mission-config.js';
import type { MissionContext, Policy, PolicyEntry, ReplicaPlan } from '../policy.js';
import { readReplicas } from '../replica-metrics.js';
import { activeOf, scaleTo } from './fleet-actions.js';
import { openingSize } from './sizing.js';

export type HpaSettings = MissionConfig['policies']['reactiveQueue'];

/** Kubernetes HPA default scale-up policies: +100 % or +4 pods per 15 s, whichever is more. */
const SCALE_UP_PERCENT = 100;
const SCALE_UP_PODS = 4;

/**
 * The HPA replica count for an Object metric with a Value target (kube-controller-manager
 * replica_calculator: usageRatio = metric / target; within tolerance keep, else ceil(ratio × current)).
 */
export function hpaDesired(current: number, metric: number, target: number, tolerance: number): number {
  const ratio = metric / target;
  if (current === 0) return Math.ceil(ratio);
  if (Math.abs(1 - ratio) <= tolerance) return current;
  return Math.ceil(ratio * current);
}

/**
 * The reactive queue autoscaler of vLLM production-stack's tutorial 10 (`hpa-10.yaml`): a
 * Kubernetes HPA on `vllm:num_requests_waiting` summed over the deployment (Object metric through
 * prometheus-adapter), target 1, with HPA's default behaviour: tolerance 0.1, scale-down
 * stabilisation 300 s (the highest recommendation of the window wins), scale-up limited to
 * max(+100 %, +4) per sync period, min/max replicas. One sync period per telemetry boundary.
 */
export class ReactiveQueuePolicy implements Policy {
  readonly name = 'reactive-queue';
  readonly #recommendations: Array<{ tSec: number; replicas: number }> = [];
  constructor(
    readonly settings: HpaSettings,
    readonly plan: ReplicaPlan,
    readonly initialReplicas: number
  ) {}

  initialFleet(): ReplicaPlan[] {
    return Array.from({ length: this.initialReplicas }, () => this.plan);
  }

  async onInterval(i: FleetInterval, control: FleetControl): Promise<void> {
    const s = this.settings;
    const current = activeOf(control, this.plan).length;
    const waiting = readReplicas(i).reduce((n, r) => n + r.waiting, 0);
    const raw = hpaDesired(current, waiting, s.targetWaiting, s.tolerance);
    const desired = Math.min(s.maxReplicas, Math.max(s.minReplicas, raw));
    this.#recommendations.push({ tSec: i.tSec, replicas: desired });
    const keepSec = Math.max(s.scaleDownStabilizationSec, s.scaleUpStabilizationSec);
    while (this.#recommendations[0]!.tSec < i.tSec - keepSec) this.#recommendations.shift();
    const within = (w: number): number[] =>
      this.#recommendations.filter((r) => r.tSec >= i.tSec - w).map((r) => r.replicas);
    // up: the lowest recommendation of its window; down: the highest of its window
    let next = current;
    const upTo = Math.min(...within(s.scaleUpStabilizationSec));
    const downTo = Math.max(...within(s.scaleDownStabilizationSec));
    if (upTo > current)
      next = Math.min(upTo, Math.max(current * (1 + SCALE_UP_PERCENT / 100), current + SCALE_UP_PODS));
    else if (downTo < current) next = downTo;
    next = Math.min(s.maxReplicas, Math.max(s.minReplicas, next));
    if (next !== current) await scaleTo(control, this.plan, next);
  }
}

export const reactiveQueue: PolicyEntry = {
  name: 'reactive-queue',
  create(ctx: MissionContext): Policy {
    const s = ctx.config.policies.reactiveQueue;
    const plan = { instanceType: ctx.baseline.instanceType, purchaseOption: ctx.baseline.purchaseOption };
    return new ReactiveQueuePolicy(s, plan, openingSize(ctx, s.minReplicas, s.maxReplicas));
  },
};
