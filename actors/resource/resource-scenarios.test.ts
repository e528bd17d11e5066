/**
 * Resource analyzers on simulator telemetry: FleetSim runs in-process, its /metrics go through
 * the gpu-edge parser (FleetTelemetry), and the Observation is what an agent would hold.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SYNTHETIC_PARAMS,
  generateSyntheticTrace,
  getGpu,
  getModel,
  kvBytesPerToken,
  planMemory,
  type SimRequest,
} from '../../sim/index.js';
import type { Candidate, Sample } from '../agent/analysis.js';
import type { EngineTelemetry } from '../../schemas/index.js';
import { appTelemetryFromTrace } from '../application/tests/app-telemetry-gen.js';
import { DEFAULT_RESOURCE_CONFIG as CFG, nodeMemory, resourceAnalyzers, resourceSignals } from './index.js';
import { observationAt, runSim, type SimRun } from './tests/sim-observation.js';

const GiB = 1024 ** 3;

function trace(o: { rate: number; promptMedian: number; promptMax?: number; share?: number }): SimRequest[] {
  return [
    ...generateSyntheticTrace(
      {
        ...DEFAULT_SYNTHETIC_PARAMS,
        durationSec: 300,
        meanRatePerSec: o.rate,
        burstsPerHour: 0,
        diurnalAmplitude: 0,
        promptTokens: { median: o.promptMedian, sigma: 0.4, max: o.promptMax ?? 30_000 },
        outputTokens: { median: 200, sigma: 0.5, max: 2000 },
        ...(o.share ? { sharedPrefix: { groups: 4, blocks: 8, share: o.share } } : {}),
      },
      5
    ),
  ];
}

const oneNode = (model: string, engine: Record<string, unknown>): Parameters<typeof runSim>[0] => ({
  workload: 'wl-mem',
  seed: 3,
  telemetryIntervalSec: 10,
  replicas: [{ node: 'n1', instanceType: 'aws:p5.4xlarge', model, engine: { maxModelLen: 32_768, ...engine } }],
});

const only = (cs: Candidate[], strategy: string): Candidate => {
  expect(cs.map((c) => c.strategy)).toContain(strategy);
  return cs.find((c) => c.strategy === strategy)!;
};
const evidence = (c: Candidate, metric: string): number => c.evidence.find((e) => e.metric === metric)!.value;

describe('actors resource analyzers on the simulator', { timeout: 60_000 }, () => {
  it('an undersized KV cache (gpu-memory-utilization 0.3, 6k-token prompts) ⇒ raise utilization to 0.9, with the KV it buys', async () => {
    const t = trace({ rate: 2, promptMedian: 6000, share: 0.6 });
    const run = await runSim(oneNode('llama-3.1-8b', { gpuMemoryUtilization: 0.3 }), t);
    const obs = observationAt(run);
    const cs = resourceAnalyzers().analyze(obs);
    const c = only(cs, 'resource.gpu-memory-utilization');
    expect(c.action).toEqual({ kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.9 } });
    expect(c.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.3 } });
    expect(c.priorityClass).toBe('resource');
    expect(c.nodes).toEqual(['n1']);
    // one node is all of the workload's capacity: > 50% ⇒ high (DESIGN.md "Supervisor")
    expect(c.risk).toBe('high');
    expect(evidence(c, 'vllm:num_preemptions_total increase')).toBeGreaterThan(0);

    // capacity now: sim/catalog's memory plan of Llama-3.1-8B on an H100 at 0.3
    const plan = planMemory({ gpu: getGpu('H100-SXM'), model: getModel('llama-3.1-8b'), gpuMemoryUtilization: 0.3 });
    expect(evidence(c, 'KV capacity tokens')).toBe(plan.kvCapacityTokens);
    // the prediction: + (0.9 − 0.3) × GPU memory ÷ 131,072 B/token (config.json: 2 × 32 layers × 8 KV heads × 128 × 2 B)
    const gpuBytes = 81_559 * 2 ** 20; // nvidia-smi memory.total of the simulated H100, MiB
    const predicted = plan.kvCapacityTokens + Math.floor((0.6 * gpuBytes) / 131_072);
    expect(c.summary).toContain(`~${predicted} tokens`);
    expect(c.expectedImpact.gpu_memory_gib_delta).toBeCloseTo((0.6 * gpuBytes) / GiB, 1);

    // applied in the simulator: the capacity the engine reports is within 0.1% of the prediction, and preemptions stop
    const after = await runSim(oneNode('llama-3.1-8b', { gpuMemoryUtilization: 0.9 }), t);
    const n = nodeMemory(observationAt(after))[0]!;
    expect(Math.abs(n.kvCapacityTokens! - predicted) / predicted).toBeLessThan(0.001);
    expect(n.preemptions).toBe(0);
    expect(resourceAnalyzers().analyze(observationAt(after))).toEqual([]);

    const signals = resourceSignals(obs);
    expect(signals).toContainEqual(
      expect.objectContaining({ kind: 'expected_throughput', to: 'performance', kvCapacityTokensAfter: predicted })
    );
    expect(signals).toContainEqual(expect.objectContaining({ kind: 'memory_pressure', node: 'n1' }));
  });

  it('KV short at full utilization with prefix reuse ⇒ a CPU KV tier sized from the deficit', async () => {
    const run = await runSim(
      oneNode('qwen2.5-32b', { gpuMemoryUtilization: 0.92 }),
      trace({ rate: 0.5, promptMedian: 6000, share: 0.6 })
    );
    const c = only(resourceAnalyzers().analyze(observationAt(run)), 'resource.kv-offload');
    expect(c.action.kind).toBe('enable_kv_offload');
    expect(c.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'kv-offloading-size': null } });
    const capacity = evidence(c, 'KV capacity tokens');
    const demand = evidence(c, 'KV demand tokens p95 (in use + waiting)');
    expect(evidence(c, 'prefix cache hit rate')).toBeGreaterThanOrEqual(CFG.prefixReuseHitRate);
    // sizing: max(2 × (demand − 0.85 × capacity), capacity) tokens × 262,144 B/token
    // (Qwen2.5-32B config.json: 2 × 64 layers × 8 KV heads × 128 × 2 B), in whole GiB
    const bytesPerToken = kvBytesPerToken(getModel('qwen2.5-32b'));
    expect(bytesPerToken).toBe(262_144);
    const tokens = Math.max(2 * (demand - 0.85 * capacity), capacity);
    expect(c.action).toEqual({ kind: 'enable_kv_offload', cpu_gib: Math.ceil((tokens * bytesPerToken) / GiB) });
    expect(demand).toBeGreaterThan(capacity);
  });

  it('KV short at full utilization with short prompts and no reuse ⇒ fp8 KV cache, which doubles capacity in the simulator', async () => {
    const t = trace({ rate: 3, promptMedian: 1500 });
    const run = await runSim(oneNode('qwen2.5-32b', { gpuMemoryUtilization: 0.92 }), t);
    const c = only(resourceAnalyzers().analyze(observationAt(run)), 'resource.kv-cache-dtype');
    expect(c.action).toEqual({ kind: 'reconfigure_engine', changes: { 'kv-cache-dtype': 'fp8' } });
    expect(c.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'kv-cache-dtype': 'auto' } });
    expect(c.risk).not.toBe('low');
    const before = evidence(c, 'KV capacity tokens');
    const after = await runSim(oneNode('qwen2.5-32b', { gpuMemoryUtilization: 0.92, kvCacheDtype: 'fp8' }), t);
    // REFERENCE.md: fp8 halves KV memory ⇒ twice the tokens (to within one 16-token block)
    expect(Math.abs(nodeMemory(observationAt(after))[0]!.kvCapacityTokens! - 2 * before)).toBeLessThanOrEqual(16);
  });

  it('an OOM restart under pressure ⇒ an admission limit and a scale-out trigger', async () => {
    const run = await runSim(
      oneNode('llama-3.1-8b', { gpuMemoryUtilization: 0.3 }),
      trace({ rate: 2, promptMedian: 6000 })
    );
    const obs = observationAt(withRestart(run, 'n1', 150_000));
    const cs = resourceAnalyzers().analyze(obs);
    const n = nodeMemory(obs)[0]!;
    expect(n.restarts).toBe(1);
    expect(n.downSamples).toBe(1);
    const limit = only(cs, 'resource.admission-limit');
    // ⌊capacity × 0.85 ÷ (prompt + output tokens per request)⌋ (seed 000 §8.4.4 queuing at 85%)
    const perRequest = n.promptTokensPerRequest! + n.outputTokensPerRequest!;
    expect(limit.action).toEqual({
      kind: 'reconfigure_engine',
      changes: { 'max-num-seqs': Math.floor((n.kvCapacityTokens! * 0.85) / perRequest) },
    });
    // vLLM's default on a ≥ 70 GiB non-A100 GPU is 1024 (REFERENCE.md); absent from the engine args ⇒ rollback removes the flag
    expect(limit.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'max-num-seqs': null } });
    expect(cs.map((c) => c.strategy)).not.toContain('resource.gpu-memory-utilization');
    const scale = only(cs, 'resource.scale-out');
    expect(scale.action).toEqual({ kind: 'scale_replicas', from: 1, to: 2 });
    const usdPerHour = obs.inventory[0]!.usdPerHour;
    expect(scale.expectedImpact.usd_per_month).toBeCloseTo(usdPerHour * 730, 2);
  });

  it('under pressure with contexts far below max-model-len ⇒ a context limit from p95 × 1.2 and the largest request', async () => {
    const t = trace({ rate: 2, promptMedian: 6000, promptMax: 8000 });
    const run = await runSim(oneNode('llama-3.1-8b', { gpuMemoryUtilization: 0.3 }), t);
    const app = appTelemetryFromTrace(t, {
      workload: 'wl-mem',
      startMs: run.startMs,
      windowS: 60,
      tier: 1,
      model: 'llama-3.1-8b',
    });
    const obs = observationAt(run, { extra: { appTiers: app } });
    const c = only(resourceAnalyzers().analyze(obs), 'resource.context-limit');
    // from the trace itself: largest prompt + largest per-window output p95, and per-window p95s
    const inWindow = app.filter((s) => s.ts > obs.now - obs.windowMs).flatMap((s) => s.data.by_request_type);
    const maxCtx = Math.max(...inWindow.map((r) => r.input_tokens.max + r.output_tokens.p95));
    const p95Ctx = Math.max(...inWindow.map((r) => r.input_tokens.p95 + r.output_tokens.p95));
    const expected = Math.ceil(Math.max(p95Ctx * 1.2, maxCtx) / 1024) * 1024;
    expect(c.action).toEqual({ kind: 'set_context_limit', max_model_len: expected });
    expect(c.rollback).toEqual({ kind: 'set_context_limit', max_model_len: 32_768 });
    expect(expected).toBeLessThanOrEqual(0.8 * 32_768);
  });

  it('a healthy fleet ⇒ no candidate, and the cost agent hears that a cheaper GPU fits', async () => {
    const run = await runSim(
      {
        ...oneNode('llama-3.1-8b', {}),
        replicas: [
          { node: 'n1', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
          { node: 'n2', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
        ],
      },
      trace({ rate: 2, promptMedian: 1000 })
    );
    const obs = observationAt(run);
    expect(resourceAnalyzers().analyze(obs)).toEqual([]);
    const signals = resourceSignals(obs);
    expect(signals.filter((s) => s.kind !== 'cheaper_gpu_fits')).toEqual([]);
    const cheaper = signals.filter((s) => s.kind === 'cheaper_gpu_fits');
    expect(cheaper.map((s) => s.node)).toEqual(['n1', 'n2']);
    for (const s of cheaper) {
      const to = obs.prices.instanceTypes.find((x) => x.id === s.toInstanceType)!;
      expect(to.gpuCount).toBe(1);
      expect(to.usdPerHour.on_demand!).toBeLessThan(obs.inventory[0]!.usdPerHour);
      expect((to.gpuMemoryGb * 1e9) / GiB).toBeGreaterThan(s.requiredGpuMemoryGib);
    }
  });
});

/**
 * The simulator does not model OOM kills, so this splices one into its telemetry the way a
 * crash shows on the wire: a failed scrape, then an engine whose cumulative counters start over.
 */
function withRestart(run: SimRun, node: string, atOffsetMs: number): SimRun {
  const at = run.startMs + atOffsetMs;
  let base: { pre: number; done: Record<string, number> } | undefined;
  const engine: Sample<EngineTelemetry>[] = run.engine.map((s) => {
    if (s.data.node !== node || s.ts < at || !s.data.up) return s;
    if (!base) {
      base = { pre: s.data.preemptions_total, done: { ...s.data.request_success_total } };
      const { node: n, workload, engine: e, model, window_s } = s.data;
      return {
        ts: s.ts,
        data: { node: n, workload, engine: e, model, window_s, up: false, scrape_error: 'connection refused' },
      };
    }
    const d = s.data;
    return {
      ts: s.ts,
      data: {
        ...d,
        preemptions_total: Math.max(0, d.preemptions_total - base.pre),
        request_success_total: Object.fromEntries(
          Object.entries(d.request_success_total).map(([k, v]) => [k, Math.max(0, v - (base!.done[k] ?? 0))])
        ),
      },
    };
  });
  return { ...run, engine };
}
