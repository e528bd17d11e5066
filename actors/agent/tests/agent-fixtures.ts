import { makeEnvelope } from '../../../bus/index.js';
import {
  costTelemetryV1,
  engineTelemetryV1,
  workloadSpec,
  type Envelope,
  type WorkloadSpec,
} from '../../../schemas/index.js';
import type { ActorContext } from '../../runtime/index.js';
import type { AgentAnalyzers, Candidate, PriceBook } from '../analysis.js';
import type { AgentContextSource, DecisionSource } from '../agent-actor.js';
import type { DecisionView } from '../agent-graph.js';

export const WORKLOAD = 'chat-a';
export const INTERVAL_MS = 10_000;
export const T0 = Date.parse('2026-03-01T00:00:00Z');

export const SPEC: WorkloadSpec = workloadSpec.parse({
  workload: WORKLOAD,
  name: 'chat',
  model: 'llama-3.1-8b',
  slo: { attainment: 0.99, ttft_p95_ms: 3000 },
});

export const PRICES: PriceBook = {
  instanceTypes: [
    { id: 'aws:g6e.xlarge', gpuId: 'L40S', gpuCount: 1, gpuMemoryGb: 48, usdPerHour: { on_demand: 1.861 } },
  ],
};

/** One interval of telemetry from one node: an engine sample and a cost sample at `ts`. */
export function intervalEnvelopes(
  i: number,
  o: { node?: string; ttftP95Ms?: number; usdPerHour?: number; preemptions?: number } = {}
): Envelope[] {
  const node = o.node ?? 'n1';
  const ts = new Date(T0 + i * INTERVAL_MS + 5_000);
  const ttft = o.ttftP95Ms ?? 400;
  return [
    makeEnvelope(
      engineTelemetryV1,
      {
        node,
        workload: WORKLOAD,
        engine: 'sim',
        model: 'llama-3.1-8b',
        window_s: 10,
        up: true,
        requests_running: 4,
        requests_waiting: 0,
        kv_cache_usage: 0.3,
        prompt_tokens_per_s: 1000,
        generation_tokens_per_s: 400,
        preemptions_total: o.preemptions ?? 0,
        request_success_total: { stop: 10 * i },
        ttft_ms: { p50: ttft / 2, p95: ttft, p99: ttft * 1.2 },
        itl_ms: { p50: 10, p95: 20, p99: 30 },
        e2e_ms: { p50: 2000, p95: 4000, p99: 5000 },
      },
      { source: 'test', ts, id: `eng-${node}-${i}` }
    ),
    makeEnvelope(
      costTelemetryV1,
      {
        node,
        workload: WORKLOAD,
        instance_id: `i-${node}`,
        instance_type: 'aws:g6e.xlarge',
        region: 'us-east-1',
        gpu_type: 'L40S',
        gpu_count: 1,
        purchase_option: 'on_demand',
        usd_per_hour: o.usdPerHour ?? 1.861,
        interval_s: 10,
      },
      { source: 'test', ts, id: `cost-${node}-${i}` }
    ),
  ];
}

/** A scale-down candidate whenever it is asked; counts its calls. */
export function scaleDownAnalyzer(): AgentAnalyzers & { calls: number } {
  const a = {
    agent: 'cost' as const,
    calls: 0,
    analyze(): Candidate[] {
      a.calls++;
      return scaleDownCandidates();
    },
  };
  return a;
}

export function scaleDownCandidates(): Candidate[] {
  return [
    {
      strategy: 'cost.right-size',
      action: { kind: 'scale_replicas', from: 2, to: 1 },
      expectedImpact: { usd_per_month: -1358.53 },
      confidence: 0.8,
      risk: 'medium',
      evidence: [{ metric: 'gpu util p95', value: 22, unit: '%', window_s: 300 }],
      rollback: { kind: 'scale_replicas', from: 1, to: 2 },
      verifyWindowS: 30,
      summary: 'Two replicas run at 22% p95 utilisation; one carries the load.',
    },
  ];
}

/** `null` stands for a workload the registry does not know. */
export function staticContext(spec: WorkloadSpec | null = SPEC): AgentContextSource {
  return { spec: () => Promise.resolve(spec ?? undefined), prices: () => Promise.resolve(PRICES) };
}

export class MapDecisions implements DecisionSource {
  readonly byProposal = new Map<string, DecisionView>();
  latest(id: string): Promise<DecisionView | undefined> {
    return Promise.resolve(this.byProposal.get(id));
  }
}

/** The context the actor system would give the turn for message `seq`. */
export function ctxFor(env: Envelope, seq: number, epoch = 1): ActorContext {
  return { kind: 'cost', key: WORKLOAD, now: Date.parse(env.ts), epoch, partition: 3, seq };
}
