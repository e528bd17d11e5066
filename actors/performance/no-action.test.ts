import { beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../agent/analysis.js';
import { costAnalyzers } from '../cost/index.js';
import { observeSim } from '../cost/tests/observation-from-sim.js';
import { at, fleet, replicas, steadyTrace } from '../cost/tests/scenarios.js';
import { performanceAnalyzers } from './analyzers.js';

// one p5.4xlarge at 16 req/s: about 60% of what it serves, and too much for any cheaper AWS type
let obs: Observation;

describe('a right-sized fleet at SLO', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    obs = at(await observeSim(fleet(replicas(1, 'aws:p5.4xlarge')), steadyTrace(16, 150)), 150);
  }, 120_000);

  it('gets no proposal from either agent', () => {
    expect(obs.history.at(-1)!.ttftP95Ms).toBeLessThan(3000);
    expect(costAnalyzers.analyze(obs)).toEqual([]);
    expect(performanceAnalyzers.analyze(obs)).toEqual([]);
  });
});
