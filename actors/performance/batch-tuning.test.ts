import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineTelemetry } from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';
import { observeSim } from '../cost/tests/observation-from-sim.js';
import { at, fleet, replay, replicas, steadyTrace } from '../cost/tests/scenarios.js';
import { batchTuning } from './batch-tuning.js';
import { DEFAULT_PERFORMANCE_CONFIG as cfg } from './config.js';
import { percentile } from './model/stats.js';

// one g5.xlarge started with max-num-seqs 4: requests queue while most of the KV cache is free
const spec = fleet(replicas(1, 'aws:g5.xlarge', { engine: { maxModelLen: 16_384, maxNumSeqs: 4 } }));
const trace = steadyTrace(1, 100);
let obs: Observation;

describe('performance agent: batch tuning', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    obs = at(await observeSim(spec, trace), 100);
  }, 120_000);

  it('raises max-num-seqs to what the KV target allows, within the ITL target', async () => {
    const [c] = batchTuning(obs, cfg);
    expect(c!.action.kind).toBe('reconfigure_engine');
    const changes = (c!.action as { changes: Record<string, number> }).changes;
    // from the telemetry itself: KV capacity and KV tokens each running sequence holds
    const ups = obs.engine
      .map((s) => s.data)
      .filter((d): d is Extract<EngineTelemetry, { up: true }> => d.up && d.requests_running > 0);
    const perSeq = percentile(
      ups.map((d) => (d.kv_cache_usage * d.kv_capacity_tokens!) / d.requests_running),
      0.5
    );
    const kvAllows = Math.floor(
      (0.8 *
        percentile(
          ups.map((d) => d.kv_capacity_tokens!),
          0.5
        )) /
        perSeq
    );
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e.value]));
    expect(ev['max-num-seqs the KV target allows']).toBe(kvAllows);
    expect(changes['max-num-seqs']).toBeLessThanOrEqual(kvAllows);
    expect(changes['max-num-seqs']).toBeGreaterThan(4);
    // g5.xlarge default max-num-batched-tokens 2048 (vLLM get_batch_defaults) stays above it
    expect(changes['max-num-batched-tokens']).toBeUndefined();
    expect(ev['predicted ITL at new max-num-seqs']).toBeLessThanOrEqual(100 * 0.9);
    expect(c!.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'max-num-seqs': 4 } });
    expect(c!.nodes).toEqual(['n0']);
    // the proposal holds up: the same trace at the new cap finishes more within the SLO
    const before = await replay(spec, trace);
    const after = await replay(
      {
        ...spec,
        replicas: replicas(1, 'aws:g5.xlarge', {
          engine: { maxModelLen: 16_384, maxNumSeqs: changes['max-num-seqs'] },
        }),
      },
      trace
    );
    expect(after.sloAttainment).toBeGreaterThan(before.sloAttainment);
  });
});
