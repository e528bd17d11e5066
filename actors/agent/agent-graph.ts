import { Annotation, END, interrupt, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import {
  noticeV1,
  proposalV1,
  resourceOf,
  subjects,
  type AgentKind,
  type PriorityClass,
  type Proposal,
  type Verdict,
} from '../../schemas/index.js';
import type { HostEffect } from '../host/index.js';
import type { Candidate, Observation } from './analysis.js';
import { digestOf, judgeOutcome, type Digest, type OutcomeJudgement } from './digest.js';
import { emptyUsage, type Explainer, type LlmUsage } from './explainer.js';

/** Arbitration rank of each agent's proposals (DESIGN.md "the priority protocol"). */
export const PRIORITY_OF: Record<AgentKind, PriorityClass> = {
  cost: 'cost',
  performance: 'slo',
  resource: 'resource',
  application: 'quality',
};

/** What the supervisor said, as the agent reads it back. */
export interface DecisionView {
  decisionId: string;
  verdict: Verdict;
  reason: string;
}

/** What resumes a waiting graph: the next closed interval. */
export interface Tick {
  seq: number;
  now: number;
  epoch: number;
  digest: Digest;
  decision?: DecisionView;
}

export interface OutboxEntry {
  outSeq: number;
  effect: HostEffect;
}

const OUTBOX_KEEP = 32;

export const AgentState = Annotation.Root({
  /** Stream sequence of the message the graph last consumed: a redelivery is not applied twice. */
  seq: Annotation<number>({ reducer: (_a, b) => b, default: () => -1 }),
  now: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  epoch: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  digest: Annotation<Digest | null>({ reducer: (_a, b) => b, default: () => null }),
  candidates: Annotation<Candidate[]>({ reducer: (_a, b) => b, default: () => [] }),
  explanation: Annotation<{ text: string; by: 'llm' | 'template'; ranking: string[]; fallback?: string } | null>({
    reducer: (_a, b) => b,
    default: () => null,
  }),
  usage: Annotation<LlmUsage>({ reducer: (_a, b) => b, default: emptyUsage }),
  pending: Annotation<{ proposal: Proposal; proposedAt: number; baseline: Digest; strategy: string } | null>({
    reducer: (_a, b) => b,
    default: () => null,
  }),
  decision: Annotation<(DecisionView & { at: number }) | null>({ reducer: (_a, b) => b, default: () => null }),
  verifyUntil: Annotation<number | null>({ reducer: (_a, b) => b, default: () => null }),
  outcome: Annotation<(OutcomeJudgement & { proposalId: string }) | null>({
    reducer: (_a, b) => b,
    default: () => null,
  }),
  outSeq: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  outbox: Annotation<OutboxEntry[]>({
    reducer: (a, b) => [...a, ...b].slice(-OUTBOX_KEEP),
    default: () => [],
  }),
  runs: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
});
export type AgentGraphState = typeof AgentState.State;

export interface AgentGraphOptions {
  agent: AgentKind;
  analyze: (obs: Observation) => Candidate[] | Promise<Candidate[]>;
  explainer: Explainer;
  /** The observation of the run being started, by thread id (not checkpointed: it is rebuilt from telemetry). */
  observationOf: (threadId: string) => Observation | undefined;
  /** How long a proposal stays valid, ms of event time. */
  proposalTtlMs: number;
  /** Called once per finished episode (learning memory); must be idempotent by proposal id. */
  onOutcome?: (o: {
    proposal: Proposal;
    baseline: Digest;
    after: Digest;
    judgement: OutcomeJudgement;
    obs: Observation | undefined;
    /** The analyzer behind the proposal, and the event time of the verdict. */
    strategy: string;
    decidedAt: number;
  }) => Promise<void>;
  checkpointer: BaseCheckpointSaver;
}

const FINAL: ReadonlySet<Verdict> = new Set(['approved', 'rejected', 'preempted', 'shadowed']);

/**
 * observe → analyze → reason → propose → await decision (interrupt) → verify (interrupt per
 * interval until the window ends) → rollback on regression → learn. Each resume carries one
 * closed telemetry interval; the checkpointer keeps where the episode is, so another host
 * resumes it after a failover.
 */
function makeGraph(o: AgentGraphOptions) {
  const threadOf = (config: { configurable?: Record<string, unknown> } | undefined): string =>
    typeof config?.configurable?.thread_id === 'string' ? config.configurable.thread_id : '';

  const g = new StateGraph(AgentState)
    .addNode('observe', (s, config) => {
      const obs = o.observationOf(threadOf(config));
      if (!obs) throw new Error(`no observation for ${threadOf(config)}: a run starts only with one`);
      return {
        digest: digestOf(obs),
        candidates: [],
        explanation: null,
        pending: null,
        decision: null,
        verifyUntil: null,
        outcome: null,
        runs: s.runs + 1,
      };
    })
    .addNode('analyze', async (_s, config) => {
      const obs = o.observationOf(threadOf(config))!;
      return { candidates: await o.analyze(obs) };
    })
    .addNode('reason', async (s, config) => {
      const obs = o.observationOf(threadOf(config))!;
      const e = await o.explainer.explain(o.agent, obs.workload, s.candidates, s.usage, s.now);
      return {
        explanation: { text: e.text, by: e.by, ranking: e.ranking, ...(e.fallback ? { fallback: e.fallback } : {}) },
        usage: e.usage,
      };
    })
    .addNode('propose', (s, config) => {
      const obs = o.observationOf(threadOf(config))!;
      // the analyzers' first candidate: the LLM's ranking is advice in the text, never a different number
      const c = s.candidates[0]!;
      const proposal = buildProposal(o.agent, obs.workload, c, s, o.proposalTtlMs);
      return {
        pending: { proposal, proposedAt: s.now, baseline: s.digest!, strategy: c.strategy },
        outSeq: s.outSeq + 1,
        outbox: [
          {
            outSeq: s.outSeq + 1,
            effect: { subject: subjects.rec(o.agent, obs.workload), schema: proposalV1.id, data: proposal },
          },
        ],
      };
    })
    .addNode('await_decision', (s) => {
      const t = interrupt<{ waitingFor: string }, Tick>({ waitingFor: s.pending!.proposal.proposal_id });
      const decision = t.decision && FINAL.has(t.decision.verdict) ? { ...t.decision, at: t.now } : null;
      const approved = decision?.verdict === 'approved';
      return {
        seq: t.seq,
        now: t.now,
        epoch: t.epoch,
        digest: t.digest,
        decision,
        verifyUntil: approved ? t.now + s.pending!.proposal.rollback_plan.verify_window_s * 1000 : null,
      };
    })
    .addNode('verify', (s) => {
      const t = interrupt<{ verifying: string }, Tick>({ verifying: s.pending!.proposal.proposal_id });
      return { seq: t.seq, now: t.now, epoch: t.epoch, digest: t.digest };
    })
    .addNode('judge', (s) => {
      const p = s.pending!;
      const judgement = judgeOutcome(p.proposal, p.baseline, s.digest!, s.decision?.verdict, s.now);
      return { outcome: { ...judgement, proposalId: p.proposal.proposal_id } };
    })
    .addNode('rollback', (s) => {
      const p = s.pending!.proposal;
      const rollback: Proposal = {
        ...p,
        proposal_id: `${p.proposal_id}.rb`,
        action: p.rollback_plan.action,
        rollback_plan: { action: p.action, verify_window_s: p.rollback_plan.verify_window_s },
        expected_impact: {
          usd_per_month: -p.expected_impact.usd_per_month,
          ...(p.expected_impact.slo_attainment_delta !== undefined
            ? { slo_attainment_delta: -p.expected_impact.slo_attainment_delta }
            : {}),
        },
        confidence: 0.9,
        risk: 'low',
        evidence: [
          ...(s.outcome?.evidence ?? []),
          { metric: 'rolls back proposal', value: 1, note: p.proposal_id },
        ].slice(0, 100),
        epoch: s.epoch,
        expires_at: new Date(s.now + o.proposalTtlMs).toISOString(),
        explanation: `Rolling back ${p.proposal_id}: ${s.outcome?.reason ?? 'regression'}`,
        explained_by: 'template',
      };
      return {
        outSeq: s.outSeq + 1,
        outbox: [
          {
            outSeq: s.outSeq + 1,
            effect: { subject: subjects.rec(o.agent, p.workload), schema: proposalV1.id, data: rollback },
          },
        ],
      };
    })
    .addNode('learn', async (s, config) => {
      const p = s.pending!;
      const j = s.outcome ?? judgeOutcome(p.proposal, p.baseline, s.digest!, s.decision?.verdict, s.now);
      if (o.onOutcome && s.decision?.verdict === 'approved') {
        await o.onOutcome({
          proposal: p.proposal,
          baseline: p.baseline,
          after: s.digest!,
          judgement: j,
          obs: o.observationOf(threadOf(config)),
          strategy: p.strategy,
          decidedAt: s.decision.at,
        });
      }
      const notice = {
        domain: 'agent',
        event: 'outcome',
        workload: p.proposal.workload,
        severity: j.outcome === 'rolled_back' ? ('warning' as const) : ('info' as const),
        message: `${o.agent} ${p.strategy} ${p.proposal.proposal_id}: ${j.outcome} (${j.reason})`,
        attrs: {
          proposal_id: p.proposal.proposal_id,
          agent: o.agent,
          strategy: p.strategy,
          action: p.proposal.action.kind,
          verdict: s.decision?.verdict ?? 'expired',
          outcome: j.outcome,
          predicted_usd_per_month: p.proposal.expected_impact.usd_per_month,
          measured_usd_per_month: j.measuredUsdPerMonth,
          explained_by: p.proposal.explained_by ?? 'template',
          llm_tokens_total: s.usage.tokensTotal,
          llm_usd_total: s.usage.usdTotal,
        },
      };
      return {
        outcome: { ...j, proposalId: p.proposal.proposal_id },
        outSeq: s.outSeq + 1,
        outbox: [
          {
            outSeq: s.outSeq + 1,
            effect: {
              subject: subjects.evt('agent', 'outcome', p.proposal.workload),
              schema: noticeV1.id,
              data: notice,
            },
          },
        ],
      };
    })
    .addEdge(START, 'observe')
    .addEdge('observe', 'analyze')
    .addConditionalEdges('analyze', (s) => (s.candidates.length ? 'reason' : END), ['reason', END])
    .addEdge('reason', 'propose')
    .addEdge('propose', 'await_decision')
    .addConditionalEdges(
      'await_decision',
      (s) => {
        if (s.decision?.verdict === 'approved') return 'verify';
        if (s.decision) return 'learn';
        return s.now >= Date.parse(s.pending!.proposal.expires_at) ? 'learn' : 'await_decision';
      },
      ['verify', 'learn', 'await_decision']
    )
    .addConditionalEdges('verify', (s) => (s.now >= (s.verifyUntil ?? 0) ? 'judge' : 'verify'), ['judge', 'verify'])
    .addConditionalEdges('judge', (s) => (s.outcome?.outcome === 'rolled_back' ? 'rollback' : 'learn'), [
      'rollback',
      'learn',
    ])
    .addEdge('rollback', 'learn')
    .addEdge('learn', END);
  return g.compile({ checkpointer: o.checkpointer });
}
export type AgentGraph = ReturnType<typeof makeGraph>;

export function buildAgentGraph(o: AgentGraphOptions): AgentGraph {
  return makeGraph(o);
}

function buildProposal(agent: AgentKind, workload: string, c: Candidate, s: AgentGraphState, ttlMs: number): Proposal {
  return {
    proposal_id: `prop:${agent}:${workload}:${s.seq}`,
    agent,
    workload,
    resource: resourceOf(c.action),
    action: c.action,
    target: { workload, ...(c.nodes?.length ? { nodes: c.nodes } : {}) },
    expected_impact: c.expectedImpact,
    confidence: c.confidence,
    risk: c.risk,
    priority_class: PRIORITY_OF[agent],
    evidence: c.evidence.slice(0, 100),
    rollback_plan: { action: c.rollback, verify_window_s: c.verifyWindowS },
    epoch: s.epoch,
    expires_at: new Date(s.now + ttlMs).toISOString(),
    explanation: s.explanation?.text ?? c.summary,
    explained_by: s.explanation?.by ?? 'template',
  };
}
