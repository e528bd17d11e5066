/**
 * Branches the simulator does not reach on its own: requests failing on the context limit (the
 * simulated engine refuses them before any app log), and prefix caches that hit far less than the
 * repeats allow (its caches hold every shared prefix). Hand-built observations, numbers in place.
 */
import { describe, expect, it } from 'vitest';
import {
  exampleOf,
  appTelemetryT2V1,
  engineTelemetryV1,
  workloadSpec,
  type EngineTelemetry,
} from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';
import { applicationAnalyzers } from './index.js';

const NOW = Date.parse('2026-11-24T15:00:00Z');
const row = exampleOf(appTelemetryT2V1).by_request_type[0]!;

function obs(over: {
  errors?: Record<string, number>;
  hitRate: number;
  nodes: string[];
  maxModelLen: number;
}): Observation {
  const engineUp = exampleOf(engineTelemetryV1) as Extract<EngineTelemetry, { up: true }>;
  return {
    workload: 'wl-b',
    now: NOW,
    windowMs: 300_000,
    engine: over.nodes.map((node) => ({
      ts: NOW - 10_000,
      data: { ...engineUp, node, workload: 'wl-b', prefix_cache_hit_rate: over.hitRate, kv_capacity_tokens: 200_000 },
    })),
    gpu: [],
    cost: [],
    app: [],
    appTiers: [
      {
        ts: NOW - 1,
        data: {
          node: 'gw-1',
          workload: 'wl-b',
          window_s: 300,
          privacy_tier: 2,
          by_request_type: [
            { ...row, errors: over.errors ?? {}, prefix_reuse: { repeated_share: 0.8, repeated_tokens_mean: 2048 } },
          ],
        },
      },
    ],
    history: [],
    inventory: [],
    spec: workloadSpec.parse({ workload: 'wl-b', name: 'b', model: 'm', privacy_tier: 2 }),
    prices: { instanceTypes: [] },
    engineArgs: Object.fromEntries(over.nodes.map((n) => [n, { 'max-model-len': over.maxModelLen }])),
    routing: { policy: 'least_loaded' },
  };
}

describe('actors application analyzers, branches the simulator does not reach', () => {
  it('raises max-model-len when requests fail on it, up to what the KV cache holds', () => {
    // example row: input max 7900, output p95 610 ⇒ largest 8510 × 1.1 = 9361 → 10240 (whole KiB-tokens)
    const cs = applicationAnalyzers().analyze(
      obs({ errors: { context_length: 40 }, hitRate: 0.9, nodes: ['n1'], maxModelLen: 8192 })
    );
    const c = cs.find((x) => x.strategy === 'application.context-sizing')!;
    expect(c.action).toEqual({ kind: 'set_context_limit', max_model_len: 10_240 });
    expect(c.rollback).toEqual({ kind: 'set_context_limit', max_model_len: 8192 });
  });

  it('routes by prefix when several replicas cache but hit under half the repeats; not when they hit', () => {
    const low = applicationAnalyzers().analyze(obs({ hitRate: 0.2, nodes: ['n1', 'n2', 'n3'], maxModelLen: 16_384 }));
    const c = low.find((x) => x.strategy === 'application.prefix-affinity')!;
    expect(c.action).toEqual({ kind: 'set_routing', policy: 'prefix_affinity' });
    expect(c.rollback).toEqual({ kind: 'set_routing', policy: 'least_loaded' });
    const high = applicationAnalyzers().analyze(obs({ hitRate: 0.7, nodes: ['n1', 'n2', 'n3'], maxModelLen: 16_384 }));
    expect(high.map((x) => x.strategy)).not.toContain('application.prefix-affinity');
  });
});
