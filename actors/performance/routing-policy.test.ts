import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../sim/index.js';
import type { Observation } from '../agent/analysis.js';
import { observeSim } from '../cost/tests/observation-from-sim.js';
import { at, fleet, replicas, steadyTrace } from '../cost/tests/scenarios.js';
import { DEFAULT_PERFORMANCE_CONFIG as cfg } from './config.js';
import { routingPolicy } from './routing-policy.js';

// an A10G and an L40S replica behind a round-robin router
const spec = fleet(
  [...replicas(1, 'aws:g5.xlarge', { node: 'a10g' }), ...replicas(1, 'aws:g6e.xlarge', { node: 'l40s' })],
  { routing: 'round_robin' }
);
let obs: Observation;

describe('performance agent: router policy', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    obs = at(await observeSim(spec, steadyTrace(1.5, 150)), 150);
  }, 120_000);

  it('weights a mixed fleet by capacity', () => {
    const [c] = routingPolicy(obs, cfg);
    expect(c!.action).toMatchObject({ kind: 'set_routing', policy: 'weighted' });
    const w = (c!.action as { weights: Record<string, number> }).weights;
    expect(w.l40s).toBe(100);
    // weights follow the per-replica capacities in the evidence (seed 000 §7.3.3: capacity / max × 100)
    const cap = (node: string): number =>
      c!.evidence.find((e) => e.metric.startsWith(`capacity per replica ${node}`))!.value;
    expect(w.a10g).toBe(Math.floor((100 * cap('a10g')) / cap('l40s')));
    // the A10G has less of everything than the L40S (NVIDIA datasheets): FLOP/s, bandwidth and memory
    // bound its share from above; its small KV cache (24 GB for 16 GB of weights) may bind first
    const flops = getGpu('A10G').bf16DenseFlops / getGpu('L40S').bf16DenseFlops;
    const bw = getGpu('A10G').hbmBytesPerSec / getGpu('L40S').hbmBytesPerSec;
    expect(w.a10g).toBeGreaterThanOrEqual(1);
    expect(w.a10g).toBeLessThanOrEqual(Math.ceil(100 * Math.max(flops, bw)));
    expect(c!.rollback).toEqual({ kind: 'set_routing', policy: 'round_robin' });
    expect(c!.expectedImpact.usd_per_month).toBe(0);
  });

  it('proposes nothing when the weights are already in place, or without the current policy', () => {
    const [c] = routingPolicy(obs, cfg);
    const weights = (c!.action as { weights: Record<string, number> }).weights;
    expect(routingPolicy({ ...obs, routing: { policy: 'weighted', weights } }, cfg)).toEqual([]);
    const { routing: _omit, ...noRouting } = obs;
    expect(routingPolicy(noRouting, cfg)).toEqual([]);
  });
});
