import { describe, expect, it } from 'vitest';
import type { Proposal } from '../../schemas/index.js';
import type { Candidate, Digest, FleetPoint, Observation, OutcomeJudgement } from '../agent/index.js';
import {
  agentMemory,
  observationAt,
  outcomeRecordOf,
  situationOf,
  withSimilarCases,
  type OutcomeMemory,
  type OutcomeRecord,
  type SimilarOutcome,
} from './index.js';

const T0 = Date.parse('2026-11-24T06:00:00Z');
const point = (i: number, preemptions: number): FleetPoint => ({
  ts: T0 + i * 10_000,
  replicasUp: 1,
  replicasSeen: 1,
  requestsPerS: 2,
  promptTokensPerS: 12_000,
  generationTokensPerS: 400,
  running: 8,
  waiting: preemptions ? 6 : 0,
  kvUsageMean: preemptions ? 0.97 : 0.5,
  kvUsageMax: preemptions ? 1 : 0.6,
  preemptions,
  ttftP95Ms: 900,
  ttftP99Ms: 1200,
  itlP95Ms: 30,
  e2eP95Ms: 5000,
  gpuUtilPct: 80,
  usdPerHour: 4,
});

/** Six pressed intervals, then six calm ones after the change. */
const obs: Observation = {
  workload: 'wl-m',
  now: T0 + 110_000,
  windowMs: 300_000,
  engine: [],
  gpu: [],
  cost: [],
  app: [],
  history: [0, 1, 2, 3, 4, 5].map((i) => point(i, 20)).concat([6, 7, 8, 9, 10, 11].map((i) => point(i, 0))),
  inventory: [],
  spec: {
    workload: 'wl-m',
    name: 'wl-m',
    model: 'llama-3.1-8b',
    engine: 'sim',
    mode: 'auto',
    privacy_tier: 1,
    slo: { attainment: 0.99, ttft_p95_ms: 3000 },
    constraints: { spot_allowed: false },
    labels: {},
  },
  prices: { instanceTypes: [] },
};

const proposal = {
  proposal_id: 'prop:resource:wl-m:7',
  workload: 'wl-m',
  action: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.9 } },
  expected_impact: { usd_per_month: 0, gpu_memory_gib_delta: 47.8 },
} as unknown as Proposal;
const digest = (ts: number): Digest =>
  ({ ts, usdPerHour: 4, ttftP95Ms: 900, preemptionsPerMin: 0 }) as unknown as Digest;
const judgement = (outcome: OutcomeJudgement['outcome']): OutcomeJudgement => ({
  outcome,
  reason: 'test',
  measuredUsdPerMonth: 0,
  evidence: [],
});
const BASELINE_TS = T0 + 50_000;

class Recorded implements OutcomeMemory {
  readonly records: OutcomeRecord[] = [];
  cases: SimilarOutcome[] = [];
  fail = false;
  record(o: OutcomeRecord): Promise<void> {
    this.records.push(o);
    return Promise.resolve();
  }
  similar(): Promise<SimilarOutcome[]> {
    return this.fail ? Promise.reject(new Error('db down')) : Promise.resolve(this.cases);
  }
}

describe('actors memory agent hook', () => {
  it('rebuilds the situation at proposal time from history: the pressed intervals, not the calm ones', () => {
    const at = observationAt(obs, BASELINE_TS);
    expect(at.history.map((p) => p.preemptions)).toEqual([20, 20, 20, 20, 20, 20]);
    expect(at.now).toBe(BASELINE_TS);
    expect(situationOf(at).kv_usage_max).toBe(1);
    expect(situationOf(obs).kv_usage_max).toBe(1); // the whole window still sees the pressed part
    expect(situationOf(observationAt(obs, T0 - 1))).toEqual(situationOf(obs)); // nothing that early: unchanged
  });

  it('turns a verified episode into an outcome record: kept or not, predicted vs measured, strategy', () => {
    const base = { proposal, baseline: digest(BASELINE_TS), after: digest(obs.now), obs };
    const kept = outcomeRecordOf('resource', {
      ...base,
      judgement: judgement('kept'),
      strategy: 'resource.gpu-memory-utilization',
      decidedAt: BASELINE_TS + 10_000,
    })!;
    expect(kept).toMatchObject({
      id: 'prop:resource:wl-m:7',
      workload: 'wl-m',
      agent: 'resource',
      strategy: 'resource.gpu-memory-utilization',
      action: proposal.action,
      predicted: { usd_per_month: 0, gpu_memory_gib_delta: 47.8 },
      measured: { usd_per_month: 0 },
      kept: true,
      decidedAt: BASELINE_TS + 10_000,
    });
    expect(kept.features).toEqual(situationOf(observationAt(obs, BASELINE_TS)));
    const rolled = outcomeRecordOf('resource', { ...base, judgement: judgement('rolled_back') })!;
    expect(rolled).toMatchObject({ kept: false, strategy: 'resource.reconfigure_engine', decidedAt: BASELINE_TS });
    expect(outcomeRecordOf('resource', { ...base, obs: undefined, judgement: judgement('kept') })).toBeUndefined();
  });

  it('records under the situation its proposal’s analysis saw, and survives a failed lookup', async () => {
    const store = new Recorded();
    const hook = agentMemory(store, 'resource');
    const atProposal: Observation = { ...obs, now: BASELINE_TS, history: obs.history.slice(0, 6) };
    expect(await hook.similar!(atProposal)).toEqual([]);
    await hook.record({
      proposal,
      baseline: digest(BASELINE_TS),
      after: digest(obs.now),
      judgement: judgement('kept'),
      obs,
    });
    expect(store.records[0]!.features).toEqual(situationOf(atProposal));
    store.fail = true;
    expect(await hook.similar!(obs)).toEqual([]);
  });

  it('adjusts each candidate by the similar cases in the observation, and leaves them alone without any', () => {
    const candidate: Candidate = {
      strategy: 'resource.gpu-memory-utilization',
      action: proposal.action,
      rollback: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.3 } },
      expectedImpact: { usd_per_month: 0 },
      confidence: 0.8,
      risk: 'low',
      evidence: [{ metric: 'memory pressure score', value: 70 }],
      verifyWindowS: 900,
      summary: 'raise it',
    };
    const analyzers = withSimilarCases({ agent: 'resource', analyze: () => [candidate] });
    expect(analyzers.analyze(obs)).toEqual([candidate]);
    // one identical case, rolled back: weight 1 ⇒ w = 0.5; target 0 ⇒ 0.5 × 0.8 = 0.4 (adjust-confidence.ts)
    const [c] = analyzers.analyze({
      ...obs,
      similarCases: [
        { similarity: 1, action: proposal.action, predictedUsdPerMonth: 0, measuredUsdPerMonth: 0, kept: false },
      ],
    });
    expect(c!.confidence).toBe(0.4);
    expect(c!.evidence.at(-1)!.note).toContain('confidence 0.8 → 0.4');
  });
});
