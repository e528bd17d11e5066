import { beforeAll, describe, expect, it } from 'vitest';
import { observeSim, type SimRun } from '../cost/tests/observation-from-sim.js';
import { fleet, replicas, steadyTrace } from '../cost/tests/scenarios.js';
import { DEFAULT_PERFORMANCE_CONFIG as cfg } from './config.js';
import { meanWaitS } from './model/erlang-c.js';
import { predictiveScaling } from './predictive-scaling.js';
import { sloScaling } from './slo-scaling.js';

// 2 × g5.xlarge; arrivals ramp 0 → 3.4 req/s over 15 minutes (a rising half-cosine)
let run: SimRun;

describe('performance agent: predictive scaling on a ramp', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    const trace = steadyTrace(2, 900, { diurnalAmplitude: 1, diurnalPeriodSec: 2400, diurnalPeakSec: 1200 });
    run = await observeSim(fleet(replicas(2, 'aws:g5.xlarge')), trace);
  }, 180_000);

  it('scales up a provisioning delay before the SLO breaks', () => {
    const first = run.observations.findIndex((o) => predictiveScaling(o, cfg).length > 0);
    const breach = run.observations.findIndex((o) => sloScaling(o, cfg).length > 0);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(breach).toBeGreaterThan(first);
    const obs = run.observations[first]!;
    const [c] = predictiveScaling(obs, cfg);
    // when it fires, nothing is broken yet: no saturation signal, TTFT under its 3 s target
    expect(sloScaling(obs, cfg)).toEqual([]);
    expect(obs.history.at(-1)!.ttftP95Ms ?? 0).toBeLessThanOrEqual(3000);
    // the breach comes later than one provisioning delay (300 s) + decision delay (60 s)
    const leadS = (run.observations[breach]!.now - obs.now) / 1000;
    expect(leadS).toBeGreaterThanOrEqual(300 + 60);
    expect(c!.action).toMatchObject({ kind: 'scale_replicas', from: 2 });
    const to = (c!.action as { to: number }).to;
    expect(to).toBeGreaterThan(2);
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e.value]));
    // the forecast is above now, and two replicas could not serve it at SLO: over 80% utilisation
    // or a mean Erlang-C queueing wait over a quarter of the 3 s TTFT target
    const fc = ev['arrival rate forecast']!;
    const mu = ev['capacity per replica']!;
    expect(fc).toBeGreaterThan(ev['arrival rate now']!);
    expect(fc > 2 * mu * 0.8 || meanWaitS(2, fc, mu) > 0.75).toBe(true);
    expect(fc <= (to - 1) * mu * 0.8 && meanWaitS(to - 1, fc, mu) <= 0.75).toBe(false);
    expect(c!.expectedImpact.usd_per_month).toBeCloseTo((to - 2) * 1.006 * 730, 2);
  });
});
