import { beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../agent/analysis.js';
import { costAnalyzers } from '../cost/index.js';
import { observeSim } from '../cost/tests/observation-from-sim.js';
import { at, fleet, replay, replicas, steadyTrace } from '../cost/tests/scenarios.js';
import { performanceAnalyzers } from './analyzers.js';
import { DEFAULT_PERFORMANCE_CONFIG } from './config.js';
import { sloScaling } from './slo-scaling.js';

// one g5.xlarge (A10G) under 4 req/s of Azure-shaped chat: far past what it serves
const spec = fleet(replicas(1, 'aws:g5.xlarge'));
const trace = steadyTrace(4, 100);
let obs: Observation;

describe('performance agent on an overloaded fleet', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    obs = at(await observeSim(spec, trace), 100);
  }, 120_000);

  it('scales up on queue, KV and TTFT saturation, sized by the observed throughput with queueing', async () => {
    const [c] = sloScaling(obs, DEFAULT_PERFORMANCE_CONFIG);
    expect(c!.action.kind).toBe('scale_replicas');
    const { from, to } = c!.action as { from: number; to: number };
    expect(from).toBe(1);
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e.value]));
    // llm-d WVA defaults: queue 5 per replica, KV 0.80; fleet spec default TTFT 3 s
    expect(ev['vllm:num_requests_waiting per replica']).toBeGreaterThanOrEqual(5);
    expect(ev['vllm:kv_cache_usage_perc mean']).toBeGreaterThanOrEqual(0.8);
    expect(ev.ttft_p95_ms).toBeGreaterThan(3000);
    // saturated: the capacity is what the replica finished; arrivals plus draining the queue in
    // 300 s must sit under 1 − 20% headroom (Erlang-C queueing may ask for more, never fewer)
    const mu = ev['capacity per replica']!;
    const lambda = ev['arrival rate']! + ev['waiting requests']! / 300;
    expect(lambda / (to * mu)).toBeLessThanOrEqual(0.8);
    expect(to).toBeGreaterThanOrEqual(Math.ceil(lambda / (0.8 * mu)));
    // gpu-prices.md: g5.xlarge on-demand 1.006 USD/h, 730 h/month
    expect(c!.expectedImpact.usd_per_month).toBeCloseTo((to - from) * 1.006 * 730, 2);
    expect(c!.risk).toBe('high');
    expect(c!.rollback).toEqual({ kind: 'scale_replicas', from: to, to: from });
    // the proposal holds up: the same trace on `to` replicas meets the TTFT/TPOT SLO far better
    const after = await replay({ ...spec, replicas: replicas(to, 'aws:g5.xlarge') }, trace);
    expect(after.sloAttainment).toBeGreaterThanOrEqual(0.9);
  });

  it('honours max_cost_increase_pct: adds only what the budget allows, or nothing', () => {
    const limit = (pct: number): Observation => ({
      ...obs,
      spec: { ...obs.spec, constraints: { ...obs.spec.constraints, max_cost_increase_pct: pct } },
    });
    // +100% of one g5.xlarge buys exactly one more at the same price; +50% buys none
    expect(sloScaling(limit(100), DEFAULT_PERFORMANCE_CONFIG)[0]!.action).toEqual({
      kind: 'scale_replicas',
      from: 1,
      to: 2,
    });
    expect(sloScaling(limit(50), DEFAULT_PERFORMANCE_CONFIG)).toEqual([]);
  });

  it('is the one replicas proposal of the agent, and the cost agent cuts nothing', () => {
    const out = performanceAnalyzers.analyze(obs).filter((c) => c.action.kind === 'scale_replicas');
    expect(out).toHaveLength(1);
    expect(costAnalyzers.analyze(obs).filter((c) => c.action.kind !== 'change_purchase_option')).toEqual([]);
  });
});
