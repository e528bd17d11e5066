import { describe, expect, it } from 'vitest';
import { loadMissionConfig } from './mission-config.js';
import type { MissionResult } from './mission-result.js';
import { BUILTIN_POLICIES, MISSION_POLICIES, runMission } from './run-mission.js';

/**
 * The built-ins' part of a result without wall times: what a seed determines (OptiInfra's
 * processes decide on wall-clock timing, so its row is not part of it).
 */
const deterministic = (m: MissionResult): unknown => ({
  ...m,
  traces: m.traces.map((t) => ({
    ...t,
    wallSec: {},
    results: t.results.filter((r) => BUILTIN_POLICIES.some((p) => p.name === r.policy)),
    series: Object.fromEntries(Object.entries(t.series).filter(([p]) => BUILTIN_POLICIES.some((b) => b.name === p))),
  })),
});

// The built-ins run in-process on every trace, twice for the seed check. OptiInfra's supervisor,
// agent host and executor run as processes on a nats-server, PostgreSQL and ClickHouse started for
// the trace: one trace here (the full run takes all three).
describe('mission short run', () => {
  it('scores every trace under every built-in policy; the oracle costs no more than any; same seed, same result', async () => {
    const config = await loadMissionConfig();
    const a = await runMission(config, { short: true, seed: 1, policies: BUILTIN_POLICIES });
    expect(a.traces.map((t) => t.name)).toEqual(config.traces.map((t) => t.name));
    for (const t of a.traces) {
      expect(t.results.map((r) => r.policy)).toEqual(BUILTIN_POLICIES.map((p) => p.name));
      const oracle = t.results.find((r) => r.policy === 'oracle')!;
      for (const r of t.results) {
        // every request of the trace is accounted for: finished or dropped
        expect(r.requestsJudged, `${t.name} ${r.policy}`).toBe(t.requests);
        expect(r.requests).toBe(t.requests);
        expect(t.series[r.policy]!.length).toBeGreaterThan(0);
        expect(oracle.costUsd, `${t.name}: oracle vs ${r.policy}`).toBeLessThanOrEqual(r.costUsd + 1e-9);
        expect(r.conflicts + r.rollbacks).toBe(0);
      }
      const staticPeak = t.results.find((r) => r.policy === 'static-peak')!;
      expect(staticPeak.decisions).toBe(0);
      expect(staticPeak.savingsVsStaticPeakUsd).toBe(0);
      // one GPU type bought on demand: nothing to credit to purchase option or GPU type
      for (const r of t.results.filter((x) => ['static-peak', 'reactive-queue', 'saturation'].includes(x.policy))) {
        expect(r.savingsBySource!.purchaseOption).toBe(0);
        expect(r.savingsBySource!.gpuType).toBeCloseTo(0, 9);
      }
    }
    const b = await runMission(config, { short: true, seed: 1, policies: BUILTIN_POLICIES });
    expect(deterministic(b)).toEqual(deterministic(a));
  }, 600_000);

  it('scores OptiInfra as a whole system on a trace: every request counted, the oracle no dearer', async () => {
    const config = await loadMissionConfig();
    const m = await runMission(config, { short: true, seed: 1, policies: MISSION_POLICIES, traces: ['azure-code'] });
    const [t] = m.traces;
    expect(t!.results.map((r) => r.policy)).toEqual(MISSION_POLICIES.map((p) => p.name));
    const oracle = t!.results.find((r) => r.policy === 'oracle')!;
    const opti = t!.results.find((r) => r.policy === 'optiinfra')!;
    expect(opti.requestsJudged).toBe(t!.requests);
    expect(opti.requests).toBe(t!.requests);
    expect(t!.series.optiinfra!.length).toBeGreaterThan(0);
    expect(oracle.costUsd).toBeLessThanOrEqual(opti.costUsd + 1e-9);
    // OptiInfra's row comes from the bus: its counters were attached and read
    expect(opti.extras).toHaveProperty('proposals');
    expect(opti.decisions).toBe(opti.extras.decisions);
    expect(opti.extras.approved).toBeLessThanOrEqual(opti.decisions);
  }, 600_000);
});
