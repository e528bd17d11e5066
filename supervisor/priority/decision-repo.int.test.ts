import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres, openPostgres, type Postgres } from '../../stores/index.js';
import { sharedPostgres, type TestDatabase } from '../../testkit/index.js';
import { Arbiter } from './arbiter.js';
import { DecisionRepo } from './decision-repo.js';
import type { Effect } from './effects.js';
import { explain } from './explain.js';
import { T0, proposal, workload } from './proposal-fixtures.js';

const MIN = 60_000;
let database: TestDatabase;
let pg: Postgres;
let repo: DecisionRepo;

beforeAll(async () => {
  database = await (await sharedPostgres()).createDatabase('decisions');
  pg = openPostgres({ url: database.url });
  await migratePostgres(pg);
  repo = new DecisionRepo(pg);
});

afterAll(async () => {
  await pg?.close();
  await database?.drop();
});

describe('priority DecisionRepo', () => {
  it('stores proposals, decisions, approvals and audit rows, and explain rebuilds a decision from them', async () => {
    const arbiter = new Arbiter({ config: { epoch: 7 } });
    arbiter.setWorkload(workload({ mode: 'semi' }));
    const down = proposal('p-repo-down', {
      priority_class: 'cost',
      action: { kind: 'scale_replicas', from: 10, to: 9 },
      usd: -2_000,
    });
    const up = proposal('p-repo-up', {
      priority_class: 'slo',
      action: { kind: 'scale_replicas', from: 10, to: 12 },
      usd: 3_000,
    });
    const effects: Effect[] = [];
    for (const [p, at] of [
      [down, T0],
      [up, T0 + 2_000],
    ] as const) {
      await repo.saveProposal(p, at);
      await repo.saveProposal(p, at); // redelivery
      effects.push(...arbiter.submit(p, at));
    }
    const batches = [arbiter.advance(T0 + MIN), arbiter.approve('p-repo-up', 'alice@example.com', T0 + 2 * MIN)];
    for (const batch of batches) {
      effects.push(...batch);
      await repo.record(batch);
    }

    const { rows: counted } = await pg.query<{ n: string }>('SELECT count(*) AS n FROM proposals');
    expect(counted[0]?.n).toBe('2');
    expect(await repo.decisionsOf('p-repo-up')).toEqual([
      { decision_id: 'dec-000002', verdict: 'pending_approval', decided_by: 'supervisor', execute: false },
      { decision_id: 'dec-000003', verdict: 'approved', decided_by: 'alice@example.com', execute: true },
    ]);
    const { rows: approvals } = await pg.query('SELECT operator, verdict, at FROM approvals WHERE proposal_id = $1', [
      'p-repo-up',
    ]);
    expect(approvals).toEqual([{ operator: 'alice@example.com', verdict: 'approved', at: new Date(T0 + 2 * MIN) }]);

    const stored = await repo.auditOf('p-repo-up');
    const inMemory = effects.flatMap((e) => (e.type === 'audit' && e.row.proposal_id === 'p-repo-up' ? [e.row] : []));
    expect(stored).toEqual(inMemory);
    expect(stored.every((r) => r.epoch === 7)).toBe(true);
    const why = explain(stored, 'p-repo-up');
    expect(why).toMatchObject({ fate: 'decided', verdict: 'approved', approvals: [{ by: 'alice@example.com' }] });
    expect(why.competitors.map((c) => [c.proposal_id, c.outcome])).toEqual([
      ['p-repo-down', 'lost to p-repo-up: priority slo > cost'],
      ['p-repo-up', 'won'],
    ]);
    const window = await repo.auditOfWorkload('wl-1', T0, T0 + 10 * MIN);
    expect(explain(window, 'p-repo-down')).toMatchObject({
      fate: 'rejected',
      beatenBy: 'p-repo-up',
      rule: 'priority slo > cost',
    });
  });

  it('accepts a replayed batch and refuses a decision id reused for another decision', async () => {
    const sameIds = () => 'dec-replay-0001'; // a restarted supervisor counting from the start again
    const a = new Arbiter({ newDecisionId: sameIds });
    a.setWorkload(workload({ mode: 'auto' }));
    a.submit(proposal('p-repo-again', { action: { kind: 'set_routing', policy: 'kv_aware' } }), T0);
    const batch = a.advance(T0 + MIN);
    await repo.record(batch);
    await repo.record(batch.filter((e) => e.type === 'decision'));
    expect(await repo.decisionsOf('p-repo-again')).toHaveLength(1);
    const fresh = new Arbiter({ newDecisionId: sameIds });
    fresh.setWorkload(workload({ mode: 'auto' }));
    fresh.submit(proposal('p-repo-other', { action: { kind: 'set_routing', policy: 'round_robin' } }), T0);
    await expect(repo.record(fresh.advance(T0 + MIN))).rejects.toThrow(
      /decision id dec-replay-0001 already stored for p-repo-again \(approved\)/
    );
  });

  it('writes nothing for a batch without decisions or audit rows, and rolls a broken batch back whole', async () => {
    await repo.record([{ type: 'notify', atMs: T0, workload: 'wl-1', proposalId: 'p-repo-none', message: 'x' }]);
    const before = await pg.query<{ n: string }>('SELECT count(*) AS n FROM decision_audit');
    const good = {
      type: 'audit',
      row: {
        seq: 1,
        epoch: 1,
        at: new Date(T0).toISOString(),
        workload: 'wl-9',
        proposal_id: 'p-repo-bad',
        kind: 'expiry',
        actor: 'supervisor',
        rule: 'expiry',
        reason: 'x',
      },
    } as const;
    const bad = { ...good, row: { ...good.row, at: 'not a time' } };
    await expect(repo.record([good, bad])).rejects.toThrow(/invalid input syntax for type timestamp/);
    const after = await pg.query<{ n: string }>('SELECT count(*) AS n FROM decision_audit');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});
