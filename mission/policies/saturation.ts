import type { FleetControl, FleetInterval } from '../../sim/index.js';
import type { MissionConfig } from '../mission-config.js';
import type { MissionContext, Policy, PolicyEntry, ReplicaPlan } from '../policy.js';
import { readReplicas } from '../replica-metrics.js';
import { activeOf, scaleTo } from './fleet-actions.js';
import { openingSize } from './sizing.js';

export type SaturationSettings = MissionConfig['policies']['saturation'];

export interface SaturationVerdict {
  scaleUp: boolean;
  scaleDownSafe: boolean;
}

/**
 * llm-d workload-variant-autoscaler's saturation analysis over ready replicas (each one's peak KV
 * usage and queue over the window): a replica is saturated at KV ≥ kvCacheThreshold or queue ≥
 * queueLengthThreshold; scale up when the non-saturated replicas' average spare KV or queue falls
 * under its trigger (or none is left); scale down only if the load of the non-saturated ones, spread
 * over one replica fewer, still leaves both spares at their triggers, with at least 2 of them.
 */
export function analyzeSaturation(
  replicas: ReadonlyArray<{ kvUsage: number; waiting: number }>,
  s: SaturationSettings
): SaturationVerdict {
  const free = replicas.filter((r) => r.kvUsage < s.kvCacheThreshold && r.waiting < s.queueLengthThreshold);
  if (free.length === 0) return { scaleUp: replicas.length > 0, scaleDownSafe: false };
  const kvLoad = free.reduce((a, r) => a + r.kvUsage, 0);
  const queueLoad = free.reduce((a, r) => a + r.waiting, 0);
  const spareKv = s.kvCacheThreshold - kvLoad / free.length;
  const spareQueue = s.queueLengthThreshold - queueLoad / free.length;
  const scaleUp = spareKv < s.kvSpareTrigger || spareQueue < s.queueSpareTrigger;
  if (free.length < 2) return { scaleUp, scaleDownSafe: false };
  const after = free.length - 1;
  const scaleDownSafe =
    s.kvCacheThreshold - kvLoad / after >= s.kvSpareTrigger &&
    s.queueLengthThreshold - queueLoad / after >= s.queueSpareTrigger;
  return { scaleUp, scaleDownSafe };
}

/**
 * The saturation autoscaler with WVA's defaults (docs/saturation-analyzer.md, capacity-only mode,
 * one variant): every `intervalSec` (GLOBAL_OPT_INTERVAL, 60 s) it reads `max_over_time[1m]` of
 * `vllm:kv_cache_usage_perc` and `vllm:num_requests_waiting` per ready replica; target = ready + 1
 * on scale-up (held while a replica is still provisioning, against cascade scaling), ready − 1 when
 * scale-down is safe, else ready.
 */
export class SaturationPolicy implements Policy {
  readonly name = 'saturation';
  readonly #samples = new Map<string, Array<{ tSec: number; kvUsage: number; waiting: number }>>();
  #lastDecisionSec = -Infinity;
  constructor(
    readonly settings: SaturationSettings,
    readonly plan: ReplicaPlan,
    readonly initialReplicas: number
  ) {}

  initialFleet(): ReplicaPlan[] {
    return Array.from({ length: this.initialReplicas }, () => this.plan);
  }

  async onInterval(i: FleetInterval, control: FleetControl): Promise<void> {
    const s = this.settings;
    for (const r of readReplicas(i)) {
      const list = this.#samples.get(r.node) ?? [];
      list.push({ tSec: i.tSec, kvUsage: r.kvUsage, waiting: r.waiting });
      while (list[0]!.tSec <= i.tSec - s.windowSec) list.shift();
      this.#samples.set(r.node, list);
    }
    if (i.tSec - this.#lastDecisionSec < s.intervalSec) return;
    this.#lastDecisionSec = i.tSec;
    const active = activeOf(control, this.plan);
    const ready = active.filter((r) => r.state === 'serving');
    const pending = active.length - ready.length;
    const peaks = ready.map((r) => {
      const list = (this.#samples.get(r.node) ?? []).filter((x) => x.tSec > i.tSec - s.windowSec);
      return {
        kvUsage: Math.max(0, ...list.map((x) => x.kvUsage)),
        waiting: Math.max(0, ...list.map((x) => x.waiting)),
      };
    });
    const v = analyzeSaturation(peaks, s);
    let target = active.length;
    if (v.scaleUp && pending === 0) target = ready.length + 1;
    else if (!v.scaleUp && v.scaleDownSafe) target = ready.length - 1 + pending;
    target = Math.min(s.maxReplicas, Math.max(s.minReplicas, target));
    if (target !== active.length) await scaleTo(control, this.plan, target);
  }
}

export const saturation: PolicyEntry = {
  name: 'saturation',
  create(ctx: MissionContext): Policy {
    const s = ctx.config.policies.saturation;
    const plan = { instanceType: ctx.baseline.instanceType, purchaseOption: ctx.baseline.purchaseOption };
    return new SaturationPolicy(s, plan, openingSize(ctx, s.minReplicas, s.maxReplicas));
  },
};
