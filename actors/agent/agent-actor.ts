import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from '@langchain/langgraph';
import {
  APP_TELEMETRY_TIERS,
  appTelemetryV1,
  costTelemetryV1,
  engineTelemetryV1,
  gpuTelemetryV1,
  type AgentKind,
  type Envelope,
  type WorkloadSpec,
} from '../../schemas/index.js';
import type { ActorContext, ActorLogic, ActorTurn } from '../runtime/index.js';
import type { HostEffect } from '../host/index.js';
import type { AgentAnalyzers, Observation, PriceBook } from './analysis.js';
import { buildAgentGraph, type AgentGraph, type AgentGraphState, type DecisionView, type Tick } from './agent-graph.js';
import { digestOf } from './digest.js';
import type { Explainer } from './explainer.js';
import { addTelemetry, emptyWindows, type TelemetryInput, type WindowConfig, type WindowState } from './windows.js';
import type { WorkloadStateSource } from './workload-state.js';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Digest, OutcomeJudgement } from './digest.js';
import type { Proposal } from '../../schemas/index.js';

/** Where an agent reads what is not telemetry: the workload's spec and the provider's prices. */
export interface AgentContextSource {
  /** Undefined while the workload is not registered: the agent watches but does not run. */
  spec(workload: string): Promise<WorkloadSpec | undefined>;
  prices(): Promise<PriceBook>;
}

/** The supervisor's latest final word on a proposal (PostgreSQL `decisions`). */
export interface DecisionSource {
  latest(proposalId: string): Promise<DecisionView | undefined>;
}

export interface AgentTiming {
  windows: WindowConfig;
  /** A run starts at most this often while the agent is idle, ms of event time. */
  cadenceMs: number;
  proposalTtlMs: number;
  /**
   * Modelled decision latency (DESIGN.md "Time"): the agent reads the verdict once this much
   * event time has passed, waiting up to `decisionWaitMs` of wall time for it, so a lockstep
   * replay sees decisions at the same event time however fast the supervisor runs.
   */
  decisionDelayMs: number;
  decisionWaitMs: number;
}

export const DEFAULT_TIMING: Omit<AgentTiming, 'windows'> = {
  cadenceMs: 60_000,
  proposalTtlMs: 10 * 60_000,
  decisionDelayMs: 10_000,
  decisionWaitMs: 0,
};

export interface AgentDeps {
  analyzers: AgentAnalyzers;
  explainer: Explainer;
  checkpointer: BaseCheckpointSaver;
  context: AgentContextSource;
  decisions: DecisionSource;
  timing: AgentTiming;
  /** Engine flags, routing and applied changes (`postgresWorkloadState`); without it analyzers see none. */
  state?: WorkloadStateSource;
  memory?: {
    record(o: {
      proposal: Proposal;
      baseline: Digest;
      after: Digest;
      judgement: OutcomeJudgement;
      obs: Observation | undefined;
    }): Promise<void>;
    similar?(obs: Observation): Promise<Observation['similarCases']>;
  };
}

/** The agent's snapshot: telemetry windows and what of the graph's outbox was already published. */
export interface AgentActorState {
  windows: WindowState;
  /** Event time the last run started; null before the first. */
  lastRunTs: number | null;
  lastOutSeq: number;
}

const TIER_IDS: ReadonlySet<string> = new Set(APP_TELEMETRY_TIERS.map((m) => m.id));

function toInput(env: Envelope): TelemetryInput | undefined {
  const ts = Date.parse(env.ts);
  switch (env.schema) {
    case engineTelemetryV1.id:
      return { source: 'engine', ts, data: env.data as never };
    case gpuTelemetryV1.id:
      return { source: 'gpu', ts, data: env.data as never };
    case costTelemetryV1.id:
      return { source: 'cost', ts, data: env.data as never };
    case appTelemetryV1.id:
      return { source: 'app', ts, data: env.data as never };
    default:
      return TIER_IDS.has(env.schema) ? { source: 'appTier', ts, data: env.data as never } : undefined;
  }
}

/**
 * An agent as an actor (kind = agent name, key = workload). Telemetry fills the windows; at
 * each closed interval the LangGraph graph (thread `kind:key`, checkpointed in PostgreSQL)
 * takes one step: a new run on the cadence, or a resume of a run waiting for its decision or
 * verifying its outcome. The graph's outbox entries not yet published become the turn's
 * effects, so a redelivery after a crash publishes what the crashed owner may have lost.
 */
export function agentLogic(deps: AgentDeps): ActorLogic<AgentActorState, Envelope, HostEffect> & { graph: AgentGraph } {
  const agent: AgentKind = deps.analyzers.agent;
  const observations = new Map<string, Observation>();
  const graph = buildAgentGraph({
    agent,
    analyze: async (obs) => {
      const similar = deps.memory?.similar ? await deps.memory.similar(obs) : undefined;
      return deps.analyzers.analyze(similar ? { ...obs, similarCases: similar } : obs);
    },
    explainer: deps.explainer,
    observationOf: (t) => observations.get(t),
    proposalTtlMs: deps.timing.proposalTtlMs,
    checkpointer: deps.checkpointer,
    ...(deps.memory ? { onOutcome: (o) => deps.memory!.record(o) } : {}),
  });

  const observe = async (key: string, w: WindowState, now: number): Promise<Observation | undefined> => {
    const spec = await deps.context.spec(key);
    if (!spec) return undefined;
    const prices = await deps.context.prices();
    const known = deps.state ? await deps.state.state(key, spec, now) : undefined;
    return {
      workload: key,
      now,
      windowMs: deps.timing.windows.windowMs,
      engine: w.engine,
      gpu: w.gpu,
      cost: w.cost,
      app: w.app,
      appTiers: w.appTiers ?? [],
      history: w.history,
      inventory: Object.values(w.inventory),
      spec,
      prices,
      ...(known?.engineArgs ? { engineArgs: known.engineArgs } : {}),
      ...(known?.routing ? { routing: known.routing } : {}),
      ...(known ? { appliedChanges: known.appliedChanges } : {}),
    };
  };

  const readDecision = async (
    proposalId: string,
    proposedAt: number,
    now: number
  ): Promise<DecisionView | undefined> => {
    if (now < proposedAt + deps.timing.decisionDelayMs) return undefined;
    const deadline = Date.now() + deps.timing.decisionWaitMs;
    for (;;) {
      const d = await deps.decisions.latest(proposalId);
      if (d || Date.now() >= deadline) return d;
      await sleep(50);
    }
  };

  return {
    kind: agent,
    version: 1,
    graph,
    initial: () => ({ windows: emptyWindows(), lastRunTs: null, lastOutSeq: 0 }),
    async receive(state, env, ctx: ActorContext): Promise<ActorTurn<AgentActorState, HostEffect>> {
      const input = toInput(env);
      if (!input) return { state, effects: [] };
      const { state: windows, closed } = addTelemetry(state.windows, input, deps.timing.windows);
      let next: AgentActorState = { ...state, windows };
      if (!closed) return { state: next, effects: [] };
      const thread = `${ctx.kind}:${ctx.key}`;
      const config = { configurable: { thread_id: thread } };
      const snap = await graph.getState(config);
      const values = snap.values as Partial<AgentGraphState>;
      const graphSeq = values.seq ?? -1;
      if (graphSeq < ctx.seq) {
        const obs = await observe(ctx.key, windows, ctx.now);
        if (!obs) return { state: next, effects: [] };
        observations.set(thread, obs);
        try {
          if (snap.next.length > 0) {
            const pending = values.pending;
            const decision = pending
              ? await readDecision(pending.proposal.proposal_id, pending.proposedAt, ctx.now)
              : undefined;
            const tick: Tick = {
              seq: ctx.seq,
              now: ctx.now,
              epoch: ctx.epoch,
              digest: digestOf(obs),
              ...(decision ? { decision } : {}),
            };
            await graph.invoke(new Command({ resume: tick }), config);
          } else if (state.lastRunTs === null || ctx.now - state.lastRunTs >= deps.timing.cadenceMs) {
            next = { ...next, lastRunTs: ctx.now };
            await graph.invoke({ seq: ctx.seq, now: ctx.now, epoch: ctx.epoch }, config);
          }
        } finally {
          observations.delete(thread);
        }
      }
      const after = graphSeq < ctx.seq ? await graph.getState(config) : snap;
      const outbox = ((after.values as Partial<AgentGraphState>).outbox ?? []).filter(
        (e) => e.outSeq > next.lastOutSeq
      );
      if (outbox.length) next = { ...next, lastOutSeq: Math.max(...outbox.map((e) => e.outSeq)) };
      return { state: next, effects: outbox.map((e) => e.effect) };
    },
  };
}
