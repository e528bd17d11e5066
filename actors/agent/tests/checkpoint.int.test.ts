import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type Postgres } from '../../../stores/index.js';
import { sharedPostgres, type TestDatabase } from '../../../testkit/index.js';
import type { Notice, Proposal } from '../../../schemas/index.js';
import { agentLogic, type AgentActorState, type AgentDeps } from '../agent-actor.js';
import { DEFAULT_LLM, Explainer } from '../explainer.js';
import { CHECKPOINT_SCHEMA, openCheckpointer, pruneCheckpoints } from '../postgres-sources.js';
import {
  ctxFor,
  intervalEnvelopes,
  INTERVAL_MS,
  MapDecisions,
  scaleDownAnalyzer,
  staticContext,
} from './agent-fixtures.js';

let tdb: TestDatabase;
let db: Postgres;
beforeAll(async () => {
  tdb = await (await sharedPostgres()).createDatabase('agent_ckpt');
  db = openPostgres({ url: tdb.url });
});
afterAll(async () => {
  await db.close();
  await tdb.drop();
});

async function owner(decisions: MapDecisions): Promise<ReturnType<typeof agentLogic>> {
  const deps: AgentDeps = {
    analyzers: scaleDownAnalyzer(),
    explainer: new Explainer(DEFAULT_LLM),
    checkpointer: await openCheckpointer(db),
    context: staticContext(),
    decisions,
    timing: {
      windows: { windowMs: 60_000, intervalMs: INTERVAL_MS, historyPoints: 100 },
      cadenceMs: 600_000,
      proposalTtlMs: 600_000,
      decisionDelayMs: 10_000,
      decisionWaitMs: 0,
    },
  };
  return agentLogic(deps);
}

describe('agent graphs checkpointed in PostgreSQL', () => {
  it('a second owner (another host after a failover) resumes the waiting graph from its checkpoint and finishes it', async () => {
    const decisions = new MapDecisions();
    const a = await owner(decisions);
    let state: AgentActorState = a.initial('chat-a');
    let seq = 0;
    const fx = [];
    for (let i = 0; i <= 3; i++) {
      for (const env of intervalEnvelopes(i)) {
        const r = await a.receive(state, env, ctxFor(env, ++seq));
        state = r.state;
        fx.push(...r.effects);
      }
    }
    const p = fx.find((e) => e.schema === 'oi.rec.proposal.v1')!.data as Proposal;
    // owner A is gone; B is a fresh process: same database, the snapshot A saved, a newer epoch
    const b = await owner(decisions);
    decisions.byProposal.set(p.proposal_id, { decisionId: 'dec-00000010', verdict: 'approved', reason: 'won' });
    const later = [];
    for (let i = 4; i <= 9; i++) {
      for (const env of intervalEnvelopes(i)) {
        const r = await b.receive(state, env, ctxFor(env, ++seq, 2));
        state = r.state;
        later.push(...r.effects);
      }
    }
    const outcome = later.find((e) => e.schema === 'oi.evt.notice.v1')?.data as Notice | undefined;
    expect(outcome?.attrs.proposal_id).toBe(p.proposal_id);
    expect(outcome?.attrs.outcome).toBe('kept');
    // B did not propose again: it continued A's episode
    expect(later.filter((e) => e.schema === 'oi.rec.proposal.v1')).toEqual([]);
    const rows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${CHECKPOINT_SCHEMA}.checkpoints WHERE thread_id = 'cost:chat-a'`
    );
    expect(Number(rows.rows[0]!.n)).toBeGreaterThan(5);
  });

  it("pruning by age removes old checkpoints but keeps each thread's newest", async () => {
    const before = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${CHECKPOINT_SCHEMA}.checkpoints`);
    expect(Number(before.rows[0]!.n)).toBeGreaterThan(1);
    expect(await pruneCheckpoints(db, 3_600_000)).toBe(0);
    const removed = await pruneCheckpoints(db, 0);
    expect(removed).toBe(Number(before.rows[0]!.n) - 1);
    const left = await db.query<{ thread_id: string }>(`SELECT thread_id FROM ${CHECKPOINT_SCHEMA}.checkpoints`);
    expect(left.rows.map((r) => r.thread_id)).toEqual(['cost:chat-a']);
    // the survivor is still a usable state
    const c = await openCheckpointer(db);
    const t = await c.getTuple({ configurable: { thread_id: 'cost:chat-a', checkpoint_ns: '' } });
    expect(t?.checkpoint.id).toBeDefined();
  });
});
