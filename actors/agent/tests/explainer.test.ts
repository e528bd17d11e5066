import { MemorySaver } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proposal } from '../../../schemas/index.js';
import { agentLogic, type AgentDeps } from '../agent-actor.js';
import { DEFAULT_LLM, Explainer, emptyUsage, type LlmConfig } from '../explainer.js';
import {
  ctxFor,
  intervalEnvelopes,
  INTERVAL_MS,
  MapDecisions,
  scaleDownAnalyzer,
  scaleDownCandidates,
  staticContext,
  T0,
} from './agent-fixtures.js';
import { startHandWrittenServer, type HandWrittenServer } from './openai-hand-written-server.js';

let srv: HandWrittenServer;
beforeAll(async () => {
  srv = await startHandWrittenServer();
});
afterAll(async () => {
  await srv.close();
});

const llm = (over: Partial<LlmConfig> = {}): LlmConfig => ({
  ...DEFAULT_LLM,
  baseUrl: srv.baseUrl,
  apiKey: 'sk-test-not-a-real-key',
  model: 'hand-written',
  // generous: a loaded CI machine must not turn a good answer into a fallback
  timeoutMs: 10_000,
  maxRetries: 0,
  ...over,
});

const GOOD = JSON.stringify({
  explanation: 'Utilisation has stayed near 22% for five minutes, so one replica is enough for this load.',
  ranking: ['cost.right-size'],
});

async function proposalWith(explainer: Explainer): Promise<Proposal> {
  const d: AgentDeps = {
    analyzers: scaleDownAnalyzer(),
    explainer,
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
  };
  const logic = agentLogic(d);
  let state = logic.initial('chat-a');
  let seq = 0;
  for (const env of [...intervalEnvelopes(0), ...intervalEnvelopes(1)]) {
    const r = await logic.receive(state, env, ctxFor(env, ++seq));
    state = r.state;
    const p = r.effects.find((e) => e.schema === 'oi.rec.proposal.v1');
    if (p) return p.data as Proposal;
  }
  throw new Error('no proposal');
}

/** Everything in a proposal but the words. */
const numbers = (p: Proposal): unknown => {
  const { explanation: _e, explained_by: _b, ...rest } = p;
  return rest;
};

describe('LLM explanations against a hand-written OpenAI-compatible server', () => {
  it('uses a valid answer, counts its tokens and spend, and leaves every number as the analyzers made it', async () => {
    srv.next.push({ kind: 'json', content: GOOD, promptTokens: 1000, completionTokens: 200 });
    const withLlm = await proposalWith(new Explainer(llm()));
    const without = await proposalWith(new Explainer(DEFAULT_LLM));
    expect(withLlm.explained_by).toBe('llm');
    expect(withLlm.explanation).toContain('one replica is enough');
    expect(without.explained_by).toBe('template');
    expect(numbers(withLlm)).toEqual(numbers(without));
    const req = srv.requests.at(-1)!;
    expect(req.model).toBe('hand-written');
    expect(req.messages.at(-1)!.content).toContain('"usd_per_month":-1358.53');
  });

  it('records usage: 1000 prompt + 200 completion tokens at $0.15/$0.60 per million', async () => {
    srv.next.push({ kind: 'json', content: GOOD, promptTokens: 1000, completionTokens: 200 });
    const e = await new Explainer(llm()).explain('cost', 'chat-a', scaleDownCandidates(), emptyUsage(), T0);
    expect(e.by).toBe('llm');
    expect(e.usage.tokensToday).toBe(1200);
    // 1000 × 0.15/1e6 + 200 × 0.60/1e6 = 0.00027
    expect(e.usage.usdTotal).toBeCloseTo(0.00027, 10);
  });

  it.each([
    ['malformed JSON', { kind: 'json', content: '{"explanation": "half' }, /not JSON/],
    [
      'a schema violation',
      { kind: 'json', content: JSON.stringify({ explanation: 'short', ranking: [] }) },
      /explanation|ranking/,
    ],
    [
      'an extra field',
      { kind: 'json', content: JSON.stringify({ explanation: 'x'.repeat(30), ranking: ['cost.right-size'], usd: 5 }) },
      /usd|Unrecognized/i,
    ],
    [
      'an invented strategy',
      { kind: 'json', content: JSON.stringify({ explanation: 'x'.repeat(30), ranking: ['cost.buy-tpus'] }) },
      /unknown strategies: cost.buy-tpus/,
    ],
    ['an HTTP 500', { kind: 'status', status: 500, body: '{"error":{"message":"boom"}}' }, /LLM call failed/],
    ['a reply slower than the timeout', { kind: 'slow', delayMs: 2_000, content: GOOD }, /LLM call failed/],
  ] as const)('falls back to the template on %s', async (_name, reply, why) => {
    srv.next.push(reply);
    const e = await new Explainer(llm(reply.kind === 'slow' ? { timeoutMs: 300 } : {})).explain(
      'cost',
      'chat-a',
      scaleDownCandidates(),
      emptyUsage(),
      T0
    );
    expect(e.by).toBe('template');
    expect(e.fallback).toMatch(why);
    expect(e.text).toContain('cost.right-size');
  });

  it('stops calling once the workload spent its daily token budget, and starts again the next UTC day', async () => {
    const ex = new Explainer(llm({ tokenBudgetPerDay: 1000 }));
    const before = srv.requests.length;
    const spent = { ...emptyUsage(), day: new Date(T0).toISOString().slice(0, 10), tokensToday: 1000 };
    const e = await ex.explain('cost', 'chat-a', scaleDownCandidates(), spent, T0);
    expect(e.fallback).toMatch(/budget of 1000\/day spent/);
    expect(srv.requests.length).toBe(before);
    srv.next.push({ kind: 'json', content: GOOD });
    const nextDay = await ex.explain('cost', 'chat-a', scaleDownCandidates(), spent, T0 + 86_400_000);
    expect(nextDay.by).toBe('llm');
  });
});
