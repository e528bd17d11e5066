import type { EngineTelemetry, GpuTelemetry } from '../../schemas/index.js';
import { EngineTelemetryTracker, parsePrometheusText } from '../../gpu-edge/index.js';
import type { FleetSpec } from './fleet-spec.js';
import type { FleetInterval } from './fleet-sim.js';

export type FleetTelemetryMessage =
  { source: 'gpu'; node: string; data: GpuTelemetry } | { source: 'engine'; node: string; data: EngineTelemetry };

/**
 * Turns fleet intervals into the telemetry gpu-edges would publish: the engine's /metrics go
 * through the gpu-edge parser and rate tracker, so the numbers take the production path.
 * Stateful (rates need the previous scrape): one instance per run.
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
        : tracker.failure(new Error('instance terminated'), at);
      if (data) out.push({ source: 'engine', node: r.node, data });
    }
    return out;
  }
}
