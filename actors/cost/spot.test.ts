import { beforeAll, describe, expect, it } from 'vitest';
import { SIM_CLOUD_ASSUMPTIONS } from '../../sim/index.js';
import type { Observation } from '../agent/analysis.js';
import { costAnalyzers } from './analyzers.js';
import { DEFAULT_COST_CONFIG } from './config.js';
import { spotFallback } from './spot-fallback.js';
import { spotMigration } from './spot-migration.js';
import { observeSim, type SimRun } from './tests/observation-from-sim.js';
import { at, fleet, price, replicas, steadyTrace } from './tests/scenarios.js';

const allowSpot = { constraints: { spot_allowed: true } };
// p5.4xlarge has no spot figure in gpu-prices.md: spot = on-demand × (1 − 0.6) (sim/cloud assumption)
const SPOT_P5_4X = 6.88 * (1 - SIM_CLOUD_ASSUMPTIONS.spotDiscountFraction.value);

describe('cost agent: spot migration', { timeout: 120_000 }, () => {
  let obs: Observation;
  beforeAll(async () => {
    obs = at(await observeSim(fleet(replicas(3, 'aws:p5.4xlarge')), steadyTrace(3, 150), { workload: allowSpot }), 150);
  }, 120_000);

  it('moves all but the on-demand base to spot, with the saving, the interruption risk and a pre-spin', () => {
    const [c, ...rest] = spotMigration(obs, DEFAULT_COST_CONFIG);
    expect(rest).toEqual([]);
    expect(c!.action).toEqual({ kind: 'change_purchase_option', from: 'on_demand', to: 'spot' });
    expect(c!.nodes).toEqual(['n0', 'n1']);
    expect(price(obs, 'aws:p5.4xlarge', 'spot')).toBeCloseTo(SPOT_P5_4X, 6);
    expect(c!.expectedImpact.usd_per_month).toBeCloseTo(-2 * (6.88 - SPOT_P5_4X) * 730, 2);
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e.value]));
    // no Spot Advisor bucket for p5.4xlarge: the middle bucket 10-15%, midpoint 12.5% a month
    expect(ev['monthly interruption probability']).toBeCloseTo(0.125, 4);
    expect(ev['on-demand replicas kept']).toBe(1);
    // 300 s to a serving replacement against a 120 s notice: it must be pre-spun
    expect(ev['provisioning delay']).toBe(300);
    expect(c!.summary).toMatch(/pre-spin/);
    // 2 of 3 nodes is more than half the capacity
    expect(c!.risk).toBe('high');
    expect(c!.rollback).toEqual({ kind: 'change_purchase_option', from: 'spot', to: 'on_demand' });
  });

  it('proposes no spot when the workload does not allow it', () => {
    const noSpot = { ...obs, spec: { ...obs.spec, constraints: { spot_allowed: false } } };
    expect(spotMigration(noSpot, DEFAULT_COST_CONFIG)).toEqual([]);
    expect(costAnalyzers.analyze(noSpot).filter((c) => c.action.kind === 'change_purchase_option')).toEqual([]);
  });
});

describe('cost agent: spot fallback under a high interruption rate', { timeout: 120_000 }, () => {
  let run: SimRun;
  let obs: Observation;
  beforeAll(async () => {
    const rs = [
      ...replicas(3, 'aws:p5.4xlarge', { purchaseOption: 'spot' }).map((r, i) => ({ ...r, node: `spot${i}` })),
      ...replicas(1, 'aws:p5.4xlarge'),
    ];
    // 3 interruptions per instance-hour, as the provider quotes it for this run
    run = await observeSim(fleet(rs, { cloud: { spotInterruptionsPerHour: 3 } }), steadyTrace(2, 600), {
      workload: allowSpot,
    });
    // the first interval after a spot node went down while others still run
    const i = run.observations.findIndex(
      (o) => o.engine.some((s) => !s.data.up) && o.inventory.some((n) => n.purchaseOption === 'spot')
    );
    expect(i).toBeGreaterThanOrEqual(0);
    obs = run.observations[i]!;
  }, 120_000);

  it('moves the remaining spot nodes to on-demand, naming the rate and the extra cost', () => {
    const spot = obs.inventory
      .filter((n) => n.purchaseOption === 'spot')
      .map((n) => n.node)
      .sort();
    const [c] = spotFallback(obs, DEFAULT_COST_CONFIG);
    expect(c!.action).toEqual({ kind: 'change_purchase_option', from: 'spot', to: 'on_demand' });
    expect(c!.nodes).toEqual(spot);
    expect(c!.expectedImpact.usd_per_month).toBeCloseTo(spot.length * (6.88 - SPOT_P5_4X) * 730, 2);
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e.value]));
    expect(ev['spot replicas lost in window']).toBeGreaterThanOrEqual(1);
    // 1 − exp(−3 × 730): certain within a month
    expect(ev['monthly interruption probability']).toBeCloseTo(1, 4);
    expect(ev['spot interruptions per instance-hour']).toBeGreaterThanOrEqual(3);
    expect(costAnalyzers.analyze(obs).find((x) => x.action.kind === 'change_purchase_option')?.strategy).toBe(
      'cost.spot-fallback'
    );
  });

  it('stays within max_cost_increase_pct', () => {
    const capped = {
      ...obs,
      spec: { ...obs.spec, constraints: { ...obs.spec.constraints, max_cost_increase_pct: 10 } },
    };
    // one move adds 4.128 USD/h to a fleet of at most 6.88 + 2 × 2.752 USD/h: over 10%
    expect(spotFallback(capped, DEFAULT_COST_CONFIG)).toEqual([]);
  });
});
