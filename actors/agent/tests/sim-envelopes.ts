import { makeEnvelope } from '../../../bus/index.js';
import {
  costTelemetryV1,
  engineTelemetryV1,
  gpuTelemetryV1,
  type Envelope,
  type MessageDef,
} from '../../../schemas/index.js';
import {
  FleetSim,
  FleetTelemetry,
  parseFleetSpec,
  type FleetSpec,
  type FleetSpecInput,
  type SimRequest,
} from '../../../sim/index.js';
import type { PriceBook } from '../analysis.js';
import { priceBookFrom } from '../context.js';

const DEFS: Record<'gpu' | 'engine' | 'cost', MessageDef> = {
  gpu: gpuTelemetryV1,
  engine: engineTelemetryV1,
  cost: costTelemetryV1,
};

/** A simulated fleet's telemetry as the envelopes its gpu-edges and billing would publish, oldest first. */
export async function simEnvelopes(
  input: FleetSpecInput,
  trace: Iterable<SimRequest>
): Promise<{ spec: FleetSpec; envelopes: Envelope[]; prices: PriceBook; startMs: number }> {
  const spec = parseFleetSpec(input);
  const sim = await FleetSim.create(spec);
  const prices = await priceBookFrom(sim.cloud);
  const telemetry = new FleetTelemetry(spec);
  const envelopes: Envelope[] = [];
  await sim.run(trace, (interval) => {
    const ts = telemetry.stampOf(interval);
    for (const m of telemetry.messages(interval)) {
      envelopes.push(
        makeEnvelope(DEFS[m.source], m.data, {
          source: 'sim',
          ts,
          id: `${m.source}-${m.node}-${interval.tSec}`,
        })
      );
    }
  });
  return { spec, envelopes, prices, startMs: Date.parse(spec.start) };
}
