import { describe, expect, it } from 'vitest';
import { loadMissionConfig } from './mission-config.js';
import type { MissionResult } from './mission-result.js';
import type { PolicyEntry } from './policy.js';
import { BUILTIN_POLICIES, runMission } from './run-mission.js';

/** Stands in the OptiInfra slot: one baseline replica, never touched. */
const external: PolicyEntry = {
  name: 'external-slot',
  create: (ctx) => ({
    name: 'external-slot',
    initialFleet: () => [{ instanceType: ctx.baseline.instanceType, purchaseOption: ctx.baseline.purchaseOption }],
    onInterval: () => undefined,
  }),
};

/** The result without wall times, which are not part of what a seed determines. */
const deterministic = (m: MissionResult): unknown => ({ ...m, traces: m.traces.map((t) => ({ ...t, wallSec: {} })) });

// No server: the simulator runs in-process. An int test for its length (the short run replays
// 3 traces × 5 policies twice, plus the capacity calibration).
describe('mission short run', () => {
  it('scores every trace under every policy; the oracle costs no more than any baseline; same seed, same result', async () => {
    const config = await loadMissionConfig();
    const policies = [...BUILTIN_POLICIES, external];
    const a = await runMission(config, { short: true, seed: 1, policies });
    expect(a.traces.map((t) => t.name)).toEqual(config.traces.map((t) => t.name));
    for (const t of a.traces) {
      expect(t.results.map((r) => r.policy)).toEqual(policies.map((p) => p.name));
      const oracle = t.results.find((r) => r.policy === 'oracle')!;
      for (const r of t.results) {
        // every request of the trace is accounted for: finished or dropped
        expect(r.requestsJudged, `${t.name} ${r.policy}`).toBe(t.requests);
        expect(r.requests).toBe(t.requests);
        expect(t.series[r.policy]!.length).toBeGreaterThan(0);
        if (BUILTIN_POLICIES.some((p) => p.name === r.policy)) {
          expect(oracle.costUsd, `${t.name}: oracle vs ${r.policy}`).toBeLessThanOrEqual(r.costUsd + 1e-9);
        }
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
    const b = await runMission(config, { short: true, seed: 1, policies });
    expect(deterministic(b)).toEqual(deterministic(a));
  }, 600_000);
});
