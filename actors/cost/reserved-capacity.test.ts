import { beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../agent/analysis.js';
import { costAnalyzers } from './analyzers.js';
import { DEFAULT_COST_CONFIG } from './config.js';
import { reservedCapacity } from './reserved-capacity.js';
import { observeSim } from './tests/observation-from-sim.js';
import { at, fleet, price, replicas, steadyTrace } from './tests/scenarios.js';

const DAY = 86_400;
// AWS Cost Explorer's shortest RI look-back is 7 days; the default (30) needs a month of history
const cfg = { ...DEFAULT_COST_CONFIG, reserved: { ...DEFAULT_COST_CONFIG.reserved, minHistoryDays: 7 } };

describe('cost agent: reserved capacity for a steady baseline', { timeout: 180_000 }, () => {
  let obs: Observation;
  beforeAll(async () => {
    // one p5.4xlarge pinned by the operator, 0.01 req/s around the clock for a week, hourly telemetry
    const run = await observeSim(
      fleet(replicas(1, 'aws:p5.4xlarge'), { telemetryIntervalSec: 3600 }),
      steadyTrace(0.01, 7 * DAY + 7200),
      { workload: { constraints: { spot_allowed: false, allowed_instance_types: ['aws:p5.4xlarge'] } } }
    );
    obs = at(run, 7 * DAY + 7200);
  }, 180_000);

  it('commits the baseline replica to the 1-year term with its break-even', () => {
    const [c] = reservedCapacity(obs, cfg);
    expect(c!.action).toEqual({ kind: 'change_purchase_option', from: 'on_demand', to: 'reserved' });
    expect(c!.nodes).toEqual(['n0']);
    // gpu-prices.md: p5.4xlarge 1-yr Convertible RI no upfront 5.418 USD/h effective, on-demand 6.88
    expect(price(obs, 'aws:p5.4xlarge', 'reserved')).toBe(5.418);
    expect(c!.expectedImpact.usd_per_month).toBeCloseTo(-(6.88 - 5.418) * 730, 2);
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e.value]));
    // billed for the term used or not: it pays once used 12 × 5.418 / 6.88 = 9.45 months
    expect(ev['break-even']).toBeCloseTo((12 * 5.418) / 6.88, 2);
    expect(ev.commitment).toBeCloseTo(5.418 * 8760, 1);
    expect(ev.history).toBeGreaterThanOrEqual(7);
    // a purchase commitment is always high risk (DESIGN.md)
    expect(c!.risk).toBe('high');
  });

  it('needs the configured history: none with the 30-day default', () => {
    expect(reservedCapacity(obs, DEFAULT_COST_CONFIG)).toEqual([]);
    expect(costAnalyzers.analyze(obs).filter((c) => c.strategy === 'cost.reserved-capacity')).toEqual([]);
  });

  it('refuses an unsteady baseline', () => {
    // the same week with every other hour's traffic tripled: hourly CV near 0.5, far above 0.25
    const bumpy = {
      ...obs,
      history: obs.history.map((p, i) => (i % 2 ? { ...p, requestsPerS: p.requestsPerS * 3 } : p)),
    };
    expect(reservedCapacity(bumpy, cfg)).toEqual([]);
  });
});
