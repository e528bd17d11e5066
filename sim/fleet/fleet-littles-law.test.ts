import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace } from '../trace/index.js';
import { parseFleetSpec } from './fleet-spec.js';
import { FleetSim } from './fleet-sim.js';
import { FleetTelemetry } from './fleet-telemetry.js';

describe("sim/fleet Little's law over the fleet", () => {
  it('requests in the system, sampled by the fleet gauges, equal arrival rate × mean latency', async () => {
    const spec = parseFleetSpec({
      workload: 'wl-little',
      seed: 21,
      telemetryIntervalSec: 5,
      replicas: [
        { node: 'n1', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
        { node: 'n2', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
      ],
    });
    // steady Poisson arrivals: no diurnal swing, no bursts
    const trace = [
      ...generateSyntheticTrace(
        { ...DEFAULT_SYNTHETIC_PARAMS, durationSec: 600, meanRatePerSec: 10, diurnalAmplitude: 0, burstsPerHour: 0 },
        21
      ),
    ];
    const sim = await FleetSim.create(spec);
    const telemetry = new FleetTelemetry(spec);
    const inSystem: number[] = [];
    const summary = await sim.run(trace, (i) => {
      let n = 0;
      for (const m of telemetry.messages(i)) {
        if (m.source === 'engine' && m.data.up) n += m.data.requests_running + m.data.requests_waiting;
      }
      inSystem.push(n);
    });
    // L: time average of requests in the engines, from the point samples at each boundary
    const L = inSystem.reduce((a, b) => a + b, 0) / inSystem.length;
    // the run starts and ends empty, so over [0, simSec]: λ = N / T and W = mean e2e latency
    const lambda = summary.requestsDone / summary.simSec;
    const W = summary.meanLatencySec;
    expect(summary.requestsDone).toBe(trace.length);
    expect(inSystem.length).toBeGreaterThan(100);
    expect(lambda * W).toBeGreaterThan(5);
    // Tolerance 5% (the simulator's validation bar): N(t) is near Poisson (variance ≈ L ≈ 16),
    // samples 5 s apart are ~independent (W ≈ 1.6 s), so the sample mean's standard error over
    // ~120 samples is √16/√120 ≈ 2.3% of L; ~1% more is latency the gauges cannot see (12 ms
    // preprocessing, 4 ms detokenisation of DEFAULT_FRONTEND). The seed is fixed, so this is
    // deterministic; other seeds may need up to ~8%.
    expect(Math.abs(L - lambda * W)).toBeLessThan(0.05 * lambda * W);
  }, 60_000);
});
