import type { CostTelemetry, EngineTelemetry, GpuTelemetry } from '../../schemas/index.js';
import { EngineTelemetryTracker, parsePrometheusText } from '../../gpu-edge/index.js';
import type { FleetSpec } from './fleet-spec.js';
import type { FleetInterval, FleetReplicaSample } from './fleet-sim.js';

export type FleetTelemetryMessage =
  | { source: 'gpu'; node: string; data: GpuTelemetry }
  | { source: 'engine'; node: string; data: EngineTelemetry }
  | { source: 'cost'; node: string; data: CostTelemetry };

/** Why a node's engine reports `up: false`, by replica state. */
const DOWN_REASON: Partial<Record<FleetReplicaSample['state'], string>> = {
  restarting: 'engine restarting',
  stopped: 'engine drained and stopped',
  terminated: 'instance terminated',
};

/**
 * Turns fleet intervals into the telemetry gpu-edges would publish: the engine's /metrics go
 * through the gpu-edge parser and rate tracker, so the numbers take the production path. Plus
 * one cost sample per billed instance (`oi.tel.cost.v1`, what cloud billing would report).
 * A node still provisioning has no edge yet: cost only. Stateful (rates need the previous
 * scrape): one instance per run.
 */
export class FleetTelemetry {
  readonly #trackers = new Map<string, EngineTelemetryTracker>();

  constructor(readonly spec: FleetSpec) {}

  /** Event time of a boundary's messages: just before the tick, so "stamped before t" includes them. */
  stampOf(i: FleetInterval): Date {
    return new Date(Date.parse(this.spec.start) + i.tSec * 1000 - 1);
  }

  messages(i: FleetInterval): FleetTelemetryMessage[] {
    const at = this.stampOf(i);
    const out: FleetTelemetryMessage[] = [];
    for (const r of i.replicas) {
      if (r.state !== 'provisioning') {
        out.push({ source: 'gpu', node: r.node, data: { node: r.node, workload: this.spec.workload, gpus: [r.gpu] } });
        let tracker = this.#trackers.get(r.node);
        if (!tracker) {
          tracker = new EngineTelemetryTracker(
            { node: r.node, workload: this.spec.workload, engine: 'sim' },
            { intervalMs: this.spec.telemetryIntervalSec * 1000 }
          );
          this.#trackers.set(r.node, tracker);
        }
        const data = r.metricsText
          ? tracker.observe(parsePrometheusText(r.metricsText).samples, at).telemetry
          : tracker.failure(new Error(DOWN_REASON[r.state] ?? 'engine down'), at);
        if (data) out.push({ source: 'engine', node: r.node, data });
      }
      if (r.state === 'terminated') this.#trackers.delete(r.node);
      if (r.billedSec > 0) out.push({ source: 'cost', node: r.node, data: this.#cost(r) });
    }
    return out;
  }

  #cost(r: FleetReplicaSample): CostTelemetry {
    const x = r.instance;
    return {
      node: r.node,
      workload: this.spec.workload,
      instance_id: x.id,
      instance_type: x.name,
      provider: x.provider,
      region: x.region,
      zone: x.zone,
      gpu_type: x.gpuId,
      gpu_count: x.gpuCount,
      purchase_option: x.purchaseOption,
      usd_per_hour: x.usdPerHour,
      interval_s: r.billedSec,
    };
  }
}
