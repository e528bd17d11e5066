import { MemorySaver } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import type { Envelope, Notice, Proposal } from '../../../schemas/index.js';
import type { HostEffect } from '../../host/index.js';
import { agentLogic, type AgentActorState, type AgentDeps } from '../agent-actor.js';
import { DEFAULT_LLM, Explainer } from '../explainer.js';
import {
  ctxFor,
  intervalEnvelopes,
  MapDecisions,
  scaleDownAnalyzer,
  SPEC,
  staticContext,
  INTERVAL_MS,
} from './agent-fixtures.js';

function deps(over: Partial<AgentDeps> = {}): AgentDeps & { decisions: MapDecisions } {
  return {
    analyzers: scaleDownAnalyzer(),
    explainer: new Explainer(DEFAULT_LLM),
    checkpointer: new MemorySaver(),
    context: staticContext(),
    decisions: new MapDecisions(),
    timing: {
      windows: { windowMs: 60_000, intervalMs: INTERVAL_MS, historyPoints: 100 },
      cadenceMs: 60_000,
      proposalTtlMs: 120_000,
      decisionDelayMs: 10_000,
      decisionWaitMs: 0,
    },
    ...over,
  } as AgentDeps & { decisions: MapDecisions };
}

class Driver {
  seq = 0;
  effects: HostEffect[] = [];
  constructor(
    readonly logic: ReturnType<typeof agentLogic>,
    public state: AgentActorState
  ) {}
  async feed(envs: Envelope[]): Promise<HostEffect[]> {
    const out: HostEffect[] = [];
    for (const env of envs) {
      const r = await this.logic.receive(this.state, env, ctxFor(env, ++this.seq));
      this.state = r.state;
      out.push(...r.effects);
    }
    this.effects.push(...out);
    return out;
  }
  async intervals(from: number, to: number, o?: Parameters<typeof intervalEnvelopes>[1]): Promise<HostEffect[]> {
    const out: HostEffect[] = [];
    for (let i = from; i <= to; i++) out.push(...(await this.feed(intervalEnvelopes(i, o))));
    return out;
  }
}

const proposals = (fx: HostEffect[]): Proposal[] =>
  fx.filter((e) => e.schema === 'oi.rec.proposal.v1').map((e) => e.data as Proposal);
const outcomes = (fx: HostEffect[]): Notice[] =>
  fx.filter((e) => e.schema === 'oi.evt.notice.v1').map((e) => e.data as Notice);

describe('agent actor: one episode per proposal, on event time', () => {
  it('proposes the analyzers\' candidate with its numbers, waits for the verdict, verifies and reports "kept"', async () => {
    const d = deps();
    const logic = agentLogic(d);
    const drv = new Driver(logic, logic.initial('chat-a'));
    // interval 0 closes when interval 1 starts: the first run proposes at once
    const first = await drv.intervals(0, 1);
    const [p] = proposals(first);
    expect(p).toBeDefined();
    expect(p!.action).toEqual({ kind: 'scale_replicas', from: 2, to: 1 });
    expect(p!.expected_impact.usd_per_month).toBe(-1358.53);
    expect(p!.priority_class).toBe('cost');
    expect(p!.resource).toBe('replicas');
    expect(p!.epoch).toBe(1);
    expect(p!.explained_by).toBe('template');
    expect(p!.explanation).toContain('gpu util p95 = 22 %');
    expect(p!.workload).toBe(SPEC.workload);
    // no verdict yet: nothing more is proposed while it waits
    expect(proposals(await drv.intervals(2, 3))).toEqual([]);
    d.decisions.byProposal.set(p!.proposal_id, { decisionId: 'dec-00000001', verdict: 'approved', reason: 'won' });
    // approved at the next close; verify window 30 s = 3 intervals; then the outcome event
    const rest = await drv.intervals(4, 9);
    const [o] = outcomes(rest);
    expect(o).toBeDefined();
    expect(o!.attrs.outcome).toBe('kept');
    expect(o!.attrs.verdict).toBe('approved');
    expect(o!.attrs.proposal_id).toBe(p!.proposal_id);
    expect(o!.attrs.predicted_usd_per_month).toBe(-1358.53);
    // the episode published exactly a proposal then its outcome; a later run starts a new episode
    expect(drv.effects.slice(0, 2).map((e) => e.schema)).toEqual(['oi.rec.proposal.v1', 'oi.evt.notice.v1']);
    expect(proposals(drv.effects.slice(2)).every((q) => q.proposal_id !== p!.proposal_id)).toBe(true);
  });

  it("a rejected proposal ends the episode with the supervisor's verdict and the next run comes on the cadence", async () => {
    const d = deps();
    const analyzers = scaleDownAnalyzer();
    const logic = agentLogic({ ...d, analyzers });
    const drv = new Driver(logic, logic.initial('chat-a'));
    const [p] = proposals(await drv.intervals(0, 1));
    d.decisions.byProposal.set(p!.proposal_id, {
      decisionId: 'dec-00000002',
      verdict: 'rejected',
      reason: 'lost to slo',
    });
    const fx = await drv.intervals(2, 3);
    expect(outcomes(fx).map((o) => [o.attrs.outcome, o.attrs.verdict])).toEqual([['rejected', 'rejected']]);
    expect(analyzers.calls).toBe(1);
    // cadence 60 s after the first run (which started when interval 0 closed at 10 s)
    const later = await drv.intervals(4, 7);
    expect(analyzers.calls).toBe(2);
    expect(proposals(later)).toHaveLength(1);
    expect(proposals(later)[0]!.proposal_id).not.toBe(p!.proposal_id);
  });

  it('rolls back when the verify window shows TTFT breaking the SLO it met before', async () => {
    const d = deps();
    const logic = agentLogic(d);
    const drv = new Driver(logic, logic.initial('chat-a'));
    const [p] = proposals(await drv.intervals(0, 1));
    d.decisions.byProposal.set(p!.proposal_id, { decisionId: 'dec-00000003', verdict: 'approved', reason: 'won' });
    const fx = await drv.intervals(2, 9, { ttftP95Ms: 4_500 });
    const [rb] = proposals(fx);
    expect(rb).toBeDefined();
    expect(rb!.proposal_id).toBe(`${p!.proposal_id}.rb`);
    expect(rb!.action).toEqual({ kind: 'scale_replicas', from: 1, to: 2 });
    expect(rb!.expected_impact.usd_per_month).toBe(1358.53);
    const [o] = outcomes(fx);
    expect(o!.attrs.outcome).toBe('rolled_back');
    expect(o!.message).toMatch(/TTFT p95 4500 ms broke the 3000 ms SLO/);
  });

  it('a redelivered message does not step the graph twice, and an outbox entry the snapshot missed is published again', async () => {
    const d = deps();
    const logic = agentLogic(d);
    const drv = new Driver(logic, logic.initial('chat-a'));
    const before = drv.state;
    const envs = [...intervalEnvelopes(0), ...intervalEnvelopes(1)];
    const fx = await drv.feed(envs);
    expect(proposals(fx)).toHaveLength(1);
    // the owner died after the checkpoint but before its snapshot: the new owner replays from `before`
    const replay = new Driver(logic, before);
    const again = await replay.feed(envs);
    expect(proposals(again).map((p) => p.proposal_id)).toEqual(proposals(fx).map((p) => p.proposal_id));
    // and once the snapshot has it, the same messages produce nothing
    const third = new Driver(logic, replay.state);
    expect(await third.feed(envs)).toEqual([]);
  });

  it('an unregistered workload is watched but never proposed for', async () => {
    const d = deps({ context: staticContext(null) });
    const logic = agentLogic(d);
    const drv = new Driver(logic, logic.initial('chat-a'));
    expect(await drv.intervals(0, 8)).toEqual([]);
    expect(drv.state.windows.history.length).toBeGreaterThan(5);
  });
});
