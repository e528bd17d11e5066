/**
 * The framework fills the Observation fields telemetry alone cannot: engine flags, the router's
 * policy, privacy-tiered app telemetry and the changes applied. Each scenario runs the agent actor
 * on simulator telemetry, hands the observation it built to the analyzer that needs the field,
 * and checks the analyzer's answer with the field and without it.
 */
import { MemorySaver } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { makeEnvelope } from '../../../bus/index.js';
import {
  appTelemetryT1V1,
  appTelemetryT3V1,
  workloadSpec,
  type ActionSpec,
  type Envelope,
  type Proposal,
  type WorkloadSpec,
} from '../../../schemas/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace, type SimRequest } from '../../../sim/index.js';
import { applicationAnalyzers } from '../../application/index.js';
import { appTelemetryFromTrace } from '../../application/tests/app-telemetry-gen.js';
import { batchTuning, DEFAULT_PERFORMANCE_CONFIG, routingPolicy } from '../../performance/index.js';
import type { AgentAnalyzers, Observation, PriceBook } from '../analysis.js';
import { agentLogic, type AgentActorState } from '../agent-actor.js';
import { DEFAULT_LLM, Explainer } from '../explainer.js';
import { foldWorkloadState, type ExecutedDecision, type WorkloadStateSource } from '../workload-state.js';
import { MapDecisions } from './agent-fixtures.js';
import { simEnvelopes } from './sim-envelopes.js';

const WL = 'wl-state';

function trace(
  ratePerSec: number,
  durationSec: number,
  over: Partial<typeof DEFAULT_SYNTHETIC_PARAMS> = {}
): SimRequest[] {
  return [
    ...generateSyntheticTrace(
      {
        ...DEFAULT_SYNTHETIC_PARAMS,
        durationSec,
        meanRatePerSec: ratePerSec,
        burstsPerHour: 0,
        diurnalAmplitude: 0,
        ...over,
      },
      1
    ),
  ];
}

const specOf = (labels: Record<string, string> = {}, slo = { ttft_p95_ms: 3000, tpot_mean_ms: 100 }): WorkloadSpec =>
  workloadSpec.parse({ workload: WL, name: WL, model: 'llama-3.1-8b', engine: 'sim', slo, labels });

/** A state source over a fixed list of executed decisions, folded as the PostgreSQL one folds them. */
function executedSource(executed: ExecutedDecision[]): WorkloadStateSource {
  return {
    state: (_w, spec, now) =>
      Promise.resolve(
        foldWorkloadState(
          executed.filter((d) => d.ts <= now),
          spec
        )
      ),
  };
}

/**
 * Runs an agent actor over the envelopes with analyzers that record each observation and propose
 * nothing (so the graph never waits), or with `analyzers` when given; returns what it saw and sent.
 */
async function runAgent(o: {
  agent: AgentAnalyzers['agent'];
  envelopes: Envelope[];
  spec: WorkloadSpec;
  prices: PriceBook;
  state?: WorkloadStateSource;
  windowMs?: number;
  analyzers?: AgentAnalyzers;
}): Promise<{ seen: Observation[]; proposals: Proposal[] }> {
  const seen: Observation[] = [];
  const inner = o.analyzers;
  const logic = agentLogic({
    analyzers: {
      agent: o.agent,
      analyze: (obs) => {
        seen.push(obs);
        return inner ? inner.analyze(obs) : [];
      },
    },
    explainer: new Explainer(DEFAULT_LLM),
    checkpointer: new MemorySaver(),
    context: { spec: () => Promise.resolve(o.spec), prices: () => Promise.resolve(o.prices) },
    decisions: new MapDecisions(),
    ...(o.state ? { state: o.state } : {}),
    timing: {
      windows: { windowMs: o.windowMs ?? 300_000, intervalMs: 10_000, historyPoints: 1_000 },
      cadenceMs: 10_000,
      proposalTtlMs: 600_000,
      decisionDelayMs: 10_000,
      decisionWaitMs: 0,
    },
  });
  let state: AgentActorState = logic.initial(WL);
  const proposals: Proposal[] = [];
  let seq = 0;
  for (const env of o.envelopes) {
    const r = await logic.receive(state, env, {
      kind: o.agent,
      key: WL,
      now: Date.parse(env.ts),
      epoch: 1,
      partition: 0,
      seq: ++seq,
    });
    state = r.state;
    proposals.push(...r.effects.filter((e) => e.schema === 'oi.rec.proposal.v1').map((e) => e.data as Proposal));
  }
  return { seen, proposals };
}

describe('agent framework: observation state beyond telemetry', { timeout: 120_000 }, () => {
  it('engineArgs: batch tuning reads the max-num-seqs the engine really runs (4), not vLLM’s default', async () => {
    // one g5.xlarge whose engine runs max-num-seqs 4 (set by an earlier decision): requests queue
    // while most of the KV cache is free
    const fleet = {
      workload: WL,
      seed: 1,
      telemetryIntervalSec: 10,
      replicas: [
        {
          node: 'n0',
          instanceType: 'aws:g5.xlarge',
          model: 'llama-3.1-8b',
          engine: { maxModelLen: 16_384, maxNumSeqs: 4 },
        },
      ],
    };
    const sim = await simEnvelopes(fleet, trace(1, 100));
    const earlier: ExecutedDecision = {
      decisionId: 'dec-seqs',
      proposalId: 'prop-seqs',
      ts: sim.startMs - 60_000,
      action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 4 } },
      rollback: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': null } },
      nodes: ['n0'],
    };
    const spec = specOf();
    const withState = await runAgent({
      agent: 'performance',
      envelopes: sim.envelopes,
      spec,
      prices: sim.prices,
      state: executedSource([earlier]),
    });
    const obs = withState.seen.at(-1)!;
    expect(obs.engineArgs).toEqual({ n0: { 'max-num-seqs': 4 } });
    const [c] = batchTuning(obs, DEFAULT_PERFORMANCE_CONFIG);
    expect(c?.strategy).toBe('performance.batch-tuning');
    const ev = Object.fromEntries(c!.evidence.map((e) => [e.metric, e]));
    expect(ev['max-num-seqs now']).toMatchObject({ value: 4, note: 'engine arg' });
    // undoing the raise restores the flag the engine runs
    expect(c!.rollback).toEqual({ kind: 'reconfigure_engine', changes: { 'max-num-seqs': 4 } });
    expect((c!.action as { changes: Record<string, number> }).changes['max-num-seqs']).toBeGreaterThan(4);

    // without the field the analyzer assumes vLLM's default for an A10G (256): the cap never binds
    const blind = await runAgent({ agent: 'performance', envelopes: sim.envelopes, spec, prices: sim.prices });
    expect(blind.seen.at(-1)!.engineArgs).toBeUndefined();
    expect(batchTuning(blind.seen.at(-1)!, DEFAULT_PERFORMANCE_CONFIG)).toEqual([]);
  });

  it('routing: a mixed fleet behind round-robin gets capacity weights, rolled back to the policy in force', async () => {
    const fleet = {
      workload: WL,
      seed: 1,
      telemetryIntervalSec: 10,
      routing: 'round_robin' as const,
      replicas: [
        { node: 'a10g', instanceType: 'aws:g5.xlarge', model: 'llama-3.1-8b', engine: { maxModelLen: 16_384 } },
        { node: 'l40s', instanceType: 'aws:g6e.xlarge', model: 'llama-3.1-8b', engine: { maxModelLen: 16_384 } },
      ],
    };
    const sim = await simEnvelopes(fleet, trace(1.5, 150));
    // the operator declared the router's policy at registration
    const labelled = await runAgent({
      agent: 'performance',
      envelopes: sim.envelopes,
      spec: specOf({ 'routing-policy': 'round_robin' }),
      prices: sim.prices,
      state: executedSource([]),
    });
    const obs = labelled.seen.at(-1)!;
    expect(obs.routing).toEqual({ policy: 'round_robin' });
    const [c] = routingPolicy(obs, DEFAULT_PERFORMANCE_CONFIG);
    expect(c!.action).toMatchObject({ kind: 'set_routing', policy: 'weighted' });
    expect(c!.rollback).toEqual({ kind: 'set_routing', policy: 'round_robin' });

    // an executed set_routing decision is newer than the label: it is the policy in force
    const switched: ExecutedDecision = {
      decisionId: 'dec-route',
      proposalId: 'prop-route',
      ts: sim.startMs,
      action: { kind: 'set_routing', policy: 'least_loaded' },
      rollback: { kind: 'set_routing', policy: 'round_robin' },
    };
    const after = await runAgent({
      agent: 'performance',
      envelopes: sim.envelopes,
      spec: specOf({ 'routing-policy': 'round_robin' }),
      prices: sim.prices,
      state: executedSource([switched]),
    });
    expect(after.seen.at(-1)!.routing).toEqual({ policy: 'least_loaded' });
    expect(routingPolicy(after.seen.at(-1)!, DEFAULT_PERFORMANCE_CONFIG)[0]!.rollback).toEqual({
      kind: 'set_routing',
      policy: 'least_loaded',
    });

    // without the router's policy there is nothing to roll back to: no proposal
    const blind = await runAgent({
      agent: 'performance',
      envelopes: sim.envelopes,
      spec: specOf(),
      prices: sim.prices,
    });
    expect(blind.seen.at(-1)!.routing).toBeUndefined();
    expect(routingPolicy(blind.seen.at(-1)!, DEFAULT_PERFORMANCE_CONFIG)).toEqual([]);
  });

  it('appTiers and appliedChanges: a routing change to a weaker model that drops quality is rolled back', async () => {
    // one hour of chat at 1 req/s in 5-minute app windows; at 30 minutes a decision routed it
    // from llama-3.1-70b to llama-3.1-8b (the simulator's quality model scores chat 0.78 → 0.55)
    const t = trace(1, 3600, { taskClass: 'chat' });
    const sim = await simEnvelopes(
      {
        workload: WL,
        seed: 3,
        telemetryIntervalSec: 10,
        replicas: [{ node: 'n1', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b', engine: {} }],
      },
      t.filter((r) => r.arrivalSec < 30)
    );
    const toSmall: ActionSpec = { kind: 'set_routing', policy: 'weighted', weights: { 'llama-3.1-8b': 1 } };
    const back: ActionSpec = { kind: 'set_routing', policy: 'weighted', weights: { 'llama-3.1-70b': 1 } };
    const change: ExecutedDecision = {
      decisionId: 'dec-small',
      proposalId: 'prop-route-small',
      ts: sim.startMs + 1_800_000,
      action: toSmall,
      rollback: back,
    };
    const samples = appTelemetryFromTrace(t, {
      workload: WL,
      startMs: sim.startMs,
      windowS: 300,
      tier: 1,
      model: 'llama-3.1-70b',
      quality: { model: 'llama-3.1-70b', seed: 11, change: { atSec: 1800, model: 'llama-3.1-8b' } },
    });
    const appEnvelopes = samples.map((s, i) =>
      makeEnvelope(appTelemetryT1V1, s.data as never, { source: 'gateway', ts: new Date(s.ts), id: `app-${i}` })
    );
    // tier-3 content travels to the agent, which keeps only the aggregates
    const t3 = makeEnvelope(
      appTelemetryT3V1,
      {
        node: 'gw',
        workload: WL,
        window_s: 300,
        privacy_tier: 3,
        by_request_type: samples[2]!.data.by_request_type,
        samples: [{ prompt: 'secret prompt text' }],
      },
      { source: 'gateway', ts: new Date(samples[2]!.ts + 1), id: 'app-t3' }
    );
    const envelopes = [...sim.envelopes, ...appEnvelopes, t3].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
    const run = (state?: WorkloadStateSource): ReturnType<typeof runAgent> =>
      runAgent({
        agent: 'application',
        envelopes,
        spec: specOf(),
        prices: sim.prices,
        windowMs: 7_200_000,
        analyzers: applicationAnalyzers(),
        ...(state ? { state } : {}),
      });

    const seeing = await run(executedSource([change]));
    const last = seeing.seen.at(-1)!;
    expect(last.appTiers!.length).toBe(samples.length + 1);
    expect(JSON.stringify(last.appTiers)).not.toContain('secret prompt text');
    expect(last.appliedChanges).toEqual([
      { ts: change.ts, action: toSmall, rollback: back, proposalId: 'prop-route-small' },
    ]);
    const [p] = seeing.proposals;
    expect(p?.action).toEqual(back);
    expect(p!.rollback_plan.action).toEqual(toSmall);
    expect(p!.priority_class).toBe('quality');
    const drop = p!.evidence.find((e) => e.metric === 'relative quality drop')!.value;
    // the quality model's means for chat: 0.78 (70B) → 0.55 (8B), a 29% drop (sim/engine/quality-model.ts)
    expect(drop).toBeCloseTo((0.78 - 0.55) / 0.78, 1);

    // without the applied change the drop has no cause to undo: no rollback proposal
    const blind = await run();
    expect(blind.seen.at(-1)!.appliedChanges).toBeUndefined();
    expect(
      blind.proposals.filter((x) => x.action.kind === 'set_routing' && x.action.weights?.['llama-3.1-70b'])
    ).toEqual([]);
  });
});
