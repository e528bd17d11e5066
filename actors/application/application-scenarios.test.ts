/**
 * Application analyzers on simulator data: requests come from the simulator's synthetic traces,
 * app telemetry from `tests/app-telemetry-gen.ts` (the gateway's view of those requests, quality
 * scored by the simulator's quality model), engine telemetry from an in-process FleetSim run.
 */
import { describe, expect, it } from 'vitest';
import { appTelemetryT1V1, appTelemetryT2V1, checkData, type ActionSpec } from '../../schemas/index.js';
import {
  DEFAULT_SYNTHETIC_PARAMS,
  QUALITY_MATRIX,
  generateSyntheticTrace,
  type SimRequest,
  type SyntheticTraceParams,
} from '../../sim/index.js';
import type { Candidate } from '../agent/analysis.js';
import { observationAt, runSim, type SimRun } from '../resource/tests/sim-observation.js';
import { applicationAnalyzers, applicationFindings } from './index.js';
import { appTelemetryFromTrace, type AppGenOptions } from './tests/app-telemetry-gen.js';

const WL = 'wl-app';

function trace(p: Partial<SyntheticTraceParams>, seed = 5): SimRequest[] {
  return [
    ...generateSyntheticTrace(
      { ...DEFAULT_SYNTHETIC_PARAMS, durationSec: 300, burstsPerHour: 0, diurnalAmplitude: 0, ...p },
      seed
    ),
  ];
}
const mixed = (...ts: SimRequest[][]): SimRequest[] => ts.flat().sort((a, b) => a.arrivalSec - b.arrivalSec);

async function sim(t: SimRequest[], engine: Record<string, unknown> = {}, nodes = ['n1']): Promise<SimRun> {
  return runSim(
    {
      workload: WL,
      seed: 3,
      telemetryIntervalSec: 10,
      replicas: nodes.map((node) => ({ node, instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b', engine })),
    },
    t
  );
}

function app(run: SimRun, t: SimRequest[], o: Partial<AppGenOptions> = {}): ReturnType<typeof appTelemetryFromTrace> {
  const samples = appTelemetryFromTrace(t, {
    workload: WL,
    startMs: run.startMs,
    windowS: 60,
    tier: 1,
    model: 'gpt-4o',
    ...o,
  });
  // what the generator makes must pass the wire schema of its tier
  for (const s of samples) {
    if (s.data.privacy_tier === 1) checkData(appTelemetryT1V1, s.data);
    else checkData(appTelemetryT2V1, s.data);
  }
  return samples;
}

const strategies = (cs: Candidate[]): string[] => cs.map((c) => c.strategy);

describe('actors application analyzers on the simulator', { timeout: 60_000 }, () => {
  it('token efficiency: long prompts with short answers are reported with the tokens a month they waste', async () => {
    const t = trace({
      meanRatePerSec: 1,
      promptTokens: { median: 6000, sigma: 0.3, max: 30_000 },
      outputTokens: { median: 60, sigma: 0.3, max: 400 },
    });
    const run = await sim(t, { maxModelLen: 32_768 });
    const obs = observationAt(run, { extra: { appTiers: app(run, t) } });
    const findings = applicationFindings(obs);
    const excess = findings.find((f) => f.kind === 'excessive_input_tokens')!;
    const rows = obs.appTiers!.filter((s) => s.ts > obs.now - obs.windowMs).flatMap((s) => s.data.by_request_type);
    const requests = rows.reduce((a, r) => a + r.requests, 0);
    const inMean = rows.reduce((a, r) => a + r.input_tokens.mean * r.requests, 0) / requests;
    const outMean = rows.reduce((a, r) => a + r.output_tokens.mean * r.requests, 0) / requests;
    // seed 000 §9.4.1: waste = input − 2 × output per request; per month = × 730 h × 3600 s ÷ the 300 s window
    const tokens = Math.round(((inMean - 2 * outMean) * requests * 730 * 3600) / 300);
    expect(excess.tokensPerMonth).toBe(tokens);
    // gpt-4o at $0.035 per 1k tokens (seed 004 §2.1)
    expect(excess.usdPerMonth).toBeCloseTo((tokens / 1000) * 0.035, 0);
    expect(findings.map((f) => f.kind)).toContain('long_input_short_output');

    const chat = trace({ meanRatePerSec: 1 });
    const run2 = await sim(chat);
    expect(applicationFindings(observationAt(run2, { extra: { appTiers: app(run2, chat) } }))).toEqual([]);
  });

  it('context right-sizing: max-model-len far above what requests need ⇒ p95 × 1.1 + output, never below the largest', async () => {
    const t = trace({ meanRatePerSec: 2, promptTokens: { median: 1000, sigma: 0.5, max: 4000 } });
    const run = await sim(t, { maxModelLen: 32_768 });
    const obs = observationAt(run, { extra: { appTiers: app(run, t) } });
    const c = applicationAnalyzers()
      .analyze(obs)
      .find((x) => x.strategy === 'application.context-sizing')!;
    const rows = obs.appTiers!.filter((s) => s.ts > obs.now - obs.windowMs).flatMap((s) => s.data.by_request_type);
    const outP95 = Math.max(...rows.map((r) => r.output_tokens.p95));
    const need = Math.ceil(Math.max(...rows.map((r) => r.input_tokens.p95)) * 1.1 + outP95);
    const largest = Math.max(...rows.map((r) => r.input_tokens.max)) + outP95;
    expect(c.action).toEqual({
      kind: 'set_context_limit',
      max_model_len: Math.ceil(Math.max(need, largest) / 1024) * 1024,
    });
    expect(c.rollback).toEqual({ kind: 'set_context_limit', max_model_len: 32_768 });

    // already sized: the limit sits within 20% of the need ⇒ nothing
    const tight = await sim(t, { maxModelLen: 6144 });
    const none = applicationAnalyzers().analyze(observationAt(tight, { extra: { appTiers: app(tight, t) } }));
    expect(strategies(none)).not.toContain('application.context-sizing');
  });

  it('model routing: classification moves to the cheapest model that meets its quality; reasoning stays', async () => {
    const t = mixed(
      trace(
        {
          meanRatePerSec: 1.5,
          taskClass: 'classification',
          idPrefix: 'cls',
          outputTokens: { median: 20, sigma: 0.3, max: 200 },
        },
        5
      ),
      trace({ meanRatePerSec: 0.5, taskClass: 'reasoning', idPrefix: 'rsn' }, 6)
    );
    const run = await sim(t);
    const obs = observationAt(run, {
      extra: { appTiers: app(run, t), routing: { policy: 'weighted', weights: { 'gpt-4o': 1 } } },
    });
    const c = applicationAnalyzers()
      .analyze(obs)
      .find((x) => x.strategy === 'application.model-routing')!;
    const rows = obs.appTiers!.filter((s) => s.ts > obs.now - obs.windowMs).flatMap((s) => s.data.by_request_type);
    const of = (type: string): typeof rows => rows.filter((r) => r.request_type === type);
    const cls = of('classification');
    const clsRequests = cls.reduce((a, r) => a + r.requests, 0);
    const total = rows.reduce((a, r) => a + r.requests, 0);
    // classification needs 0.60 (seed 004: Haiku's use case); llama-3.1-8b scores 0.65 on it (sim quality matrix) at $0;
    // reasoning needs 0.95: only Opus, dearer than gpt-4o, so it stays
    expect(QUALITY_MATRIX['llama-3.1-8b'].classification).toBe(0.65);
    const share = (n: number): number => Math.round((n / total) * 1000) / 1000;
    expect(c.action).toEqual({
      kind: 'set_routing',
      policy: 'weighted',
      weights: { 'gpt-4o': share(total - clsRequests), 'llama-3.1-8b': share(clsRequests) },
    });
    expect(c.rollback).toEqual({ kind: 'set_routing', policy: 'weighted', weights: { 'gpt-4o': 1 } });
    const clsTokens =
      cls.reduce((a, r) => a + r.requests, 0) *
      (cls.reduce((a, r) => a + (r.input_tokens.mean + r.output_tokens.mean) * r.requests, 0) / clsRequests);
    // savings = tokens a month × ($0.035 − $0) per 1k
    expect(c.expectedImpact.usd_per_month).toBeCloseTo(-((clsTokens * 730 * 3600) / 300 / 1000) * 0.035, 0);

    // a reasoning-only workload is already on the cheapest model that meets 0.95 or better-priced ⇒ nothing
    const r = trace({ meanRatePerSec: 1, taskClass: 'reasoning' });
    const run2 = await sim(r);
    expect(
      strategies(applicationAnalyzers().analyze(observationAt(run2, { extra: { appTiers: app(run2, r) } })))
    ).not.toContain('application.model-routing');
  });

  it('caching: repeated prefixes with prefix caching off ⇒ enable it; the simulator then hits; tier 1 ⇒ nothing', async () => {
    const t = trace({ meanRatePerSec: 3, sharedPrefix: { groups: 4, blocks: 4, share: 0.6 } });
    const off = await sim(t, { enablePrefixCaching: false }, ['n1', 'n2']);
    const tier2 = app(off, t, { tier: 2, model: 'llama-3.1-8b' });
    const obs = observationAt(off, { spec: { privacy_tier: 2 }, extra: { appTiers: tier2 } });
    expect(obs.engine.every((s) => s.data.up && s.data.prefix_cache_hit_rate === null)).toBe(true);
    const c = applicationAnalyzers()
      .analyze(obs)
      .find((x) => x.strategy === 'application.prefix-caching')!;
    expect(c.action).toEqual({ kind: 'reconfigure_engine', changes: { 'enable-prefix-caching': true } });
    expect(c.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'enable-prefix-caching': false } });
    expect(c.nodes).toEqual(['n1', 'n2']);

    const on = await sim(t, { enablePrefixCaching: true }, ['n1', 'n2']);
    const onObs = observationAt(on, {
      spec: { privacy_tier: 2 },
      extra: { appTiers: tier2, routing: { policy: 'least_loaded' } },
    });
    const hits = onObs.engine.flatMap((s) =>
      s.data.up && typeof s.data.prefix_cache_hit_rate === 'number' ? [s.data.prefix_cache_hit_rate] : []
    );
    expect(Math.max(...hits)).toBeGreaterThan(0.2);
    expect(strategies(applicationAnalyzers().analyze(onObs))).toEqual([]);

    // the same tier-2 messages for a tier-1 workload: their aggregates are not used
    const t1 = observationAt(off, { spec: { privacy_tier: 1 }, extra: { appTiers: tier2 } });
    expect(strategies(applicationAnalyzers().analyze(t1))).not.toContain('application.prefix-caching');
  });

  it('RAG (tier ≥ 2 only): many low-relevance documents and large chunks are reported', async () => {
    const t = trace({ meanRatePerSec: 1, taskClass: 'rag_answer' });
    const run = await sim(t);
    const tier2 = app(run, t, { tier: 2, rag: { rag_answer: { docs: 12, relevance: 0.62, chunkTokens: 1100 } } });
    const obs = observationAt(run, { spec: { privacy_tier: 2 }, extra: { appTiers: tier2 } });
    const rag = applicationFindings(obs).filter((f) => f.strategy === 'application.rag');
    expect(rag.map((f) => f.kind)).toEqual(['rag_retrieval_count', 'rag_chunk_size']);
    const n = tier2
      .filter((s) => s.ts > obs.now - obs.windowMs)
      .reduce((a, s) => a + s.data.by_request_type[0]!.requests, 0);
    // seed 000 §9.4.4: (12 − 5) documents × 1100 tokens × requests, per month
    expect(rag[0]!.tokensPerMonth).toBe(Math.round(((12 - 5) * 1100 * n * 730 * 3600) / 300));
    expect(applicationFindings(observationAt(run, { spec: { privacy_tier: 1 }, extra: { appTiers: tier2 } }))).toEqual(
      []
    );
    const fine = app(run, t, { tier: 2, rag: { rag_answer: { docs: 4, relevance: 0.85, chunkTokens: 512 } } });
    expect(applicationFindings(observationAt(run, { spec: { privacy_tier: 2 }, extra: { appTiers: fine } }))).toEqual(
      []
    );
  });

  it('quality regression: a routing change to a weaker model drops quality > 5% ⇒ top-priority rollback; fp8 KV does not', async () => {
    // one hour, 5-minute windows, the change at 30 minutes (6 windows on each side)
    const t = trace({ meanRatePerSec: 1, durationSec: 3600, taskClass: 'chat' });
    const run = await sim(t.filter((r) => r.arrivalSec < 60));
    const change = { atSec: 1800, model: 'llama-3.1-8b' as const };
    const toSmall: ActionSpec = { kind: 'set_routing', policy: 'weighted', weights: { 'llama-3.1-8b': 1 } };
    const back: ActionSpec = { kind: 'set_routing', policy: 'weighted', weights: { 'llama-3.1-70b': 1 } };
    const applied = { ts: run.startMs + 1800_000, action: toSmall, rollback: back, proposalId: 'prop-route-small-1' };
    const gen = (q: AppGenOptions['quality']): ReturnType<typeof app> =>
      app(run, t, { windowS: 300, model: 'llama-3.1-70b', quality: q });
    const obsWith = (
      samples: ReturnType<typeof app>,
      extra: Record<string, unknown> = {},
      labels: Record<string, string> = {}
    ) =>
      observationAt(run, {
        now: run.startMs + 3600_000,
        windowMs: 3600_000,
        spec: { labels },
        extra: { appTiers: samples, appliedChanges: [applied], ...extra },
      });

    const dropped = gen({ model: 'llama-3.1-70b', seed: 11, change });
    const c = applicationAnalyzers()
      .analyze(obsWith(dropped))
      .find((x) => x.strategy === 'application.quality-regression')!;
    expect(c.priorityClass).toBe('quality');
    expect(c.action).toEqual(back);
    expect(c.rollback).toEqual(toSmall);
    // the quality model's means for chat: 0.78 (70B) → 0.55 (8B), a 29% drop (sim/engine/quality-model.ts)
    const drop = c.evidence.find((e) => e.metric === 'relative quality drop')!.value;
    expect(drop).toBeCloseTo((0.78 - 0.55) / 0.78, 1);
    expect(c.evidence.find((e) => e.metric === 'one-sided p-value')!.value).toBeLessThan(0.001);

    // fp8 KV costs ~0.3% (quality model's assumed delta): below the 5% threshold ⇒ nothing
    const fp8 = gen({ model: 'llama-3.1-70b', seed: 11, change: { atSec: 1800, kvCacheDtype: 'fp8' } });
    expect(strategies(applicationAnalyzers().analyze(obsWith(fp8)))).not.toContain('application.quality-regression');
    // the workload's own threshold wins: 40% tolerated ⇒ the 29% drop is no regression
    expect(
      strategies(applicationAnalyzers().analyze(obsWith(dropped, {}, { 'quality-drop-threshold': '0.4' })))
    ).not.toContain('application.quality-regression');
  });
});
