import { DEFAULT_SYNTHETIC_PARAMS, FleetSim, generateSyntheticTrace, parseFleetSpec } from '../../../sim/index.js';
import type { FleetSpecInput, FleetSummary, SimRequest, SyntheticTraceParams } from '../../../sim/index.js';
import type { Observation } from '../../agent/analysis.js';
import type { SimRun } from './observation-from-sim.js';

/** Small fleets and short seeded traces shared by the cost and performance scenario tests. */
export const MODEL = 'llama-3.1-8b';

export type Replica = FleetSpecInput['replicas'][number];

export function replicas(n: number, instanceType: string, over: Partial<Replica> = {}): Replica[] {
  return Array.from({ length: n }, (_, i) => ({
    node: `n${i}`,
    instanceType,
    model: MODEL,
    engine: { maxModelLen: 16_384 },
    ...over,
  }));
}

export function fleet(rs: Replica[], over: Partial<FleetSpecInput> = {}): FleetSpecInput {
  return { workload: 'wl-chat', seed: 1, telemetryIntervalSec: 10, replicas: rs, ...over };
}

/** Azure-shaped request sizes (DEFAULT_SYNTHETIC_PARAMS) at a steady Poisson rate, no bursts. */
export function steadyTrace(
  ratePerSec: number,
  durationSec: number,
  over: Partial<SyntheticTraceParams> = {}
): SimRequest[] {
  return [
    ...generateSyntheticTrace(
      {
        ...DEFAULT_SYNTHETIC_PARAMS,
        durationSec,
        meanRatePerSec: ratePerSec,
        burstsPerHour: 0,
        diurnalAmplitude: 0,
        ...over,
      },
      1
    ),
  ];
}

/** The observation made at simulated second `tSec` (a telemetry boundary). */
export function at(run: SimRun, tSec: number): Observation {
  const interval = run.spec.telemetryIntervalSec;
  const obs = run.observations[Math.round(tSec / interval) - 1];
  if (!obs) throw new Error(`no observation at ${tSec} s (run has ${run.observations.length})`);
  return obs;
}

/** Replays a trace on a fleet without observing it: the check that a proposal holds up. */
export async function replay(spec: FleetSpecInput, trace: SimRequest[]): Promise<FleetSummary> {
  const sim = await FleetSim.create(parseFleetSpec(spec));
  return sim.run(trace);
}

/** Price of an instance type in the run's price book (read from the simulated cloud). */
export function price(obs: Observation, id: string, option: 'on_demand' | 'spot' | 'reserved'): number {
  const p = obs.prices.instanceTypes.find((t) => t.id === id)?.usdPerHour[option];
  if (p === undefined) throw new Error(`${id} has no ${option} price`);
  return p;
}
