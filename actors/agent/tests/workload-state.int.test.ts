import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres, openPostgres, type Postgres } from '../../../stores/index.js';
import { sharedPostgres, type TestDatabase } from '../../../testkit/index.js';
import { workloadSpec, type ActionSpec } from '../../../schemas/index.js';
import { postgresWorkloadState } from '../postgres-sources.js';

let tdb: TestDatabase;
let db: Postgres;
beforeAll(async () => {
  tdb = await (await sharedPostgres()).createDatabase('agent_state');
  db = openPostgres({ url: tdb.url });
  await migratePostgres(db);
});
afterAll(async () => {
  await db.close();
  await tdb.drop();
});

const WL = 'wl-st';
const T0 = Date.parse('2026-03-01T00:00:00Z');
const spec = workloadSpec.parse({
  workload: WL,
  name: WL,
  model: 'llama-3.1-8b',
  labels: { 'routing-policy': 'round_robin' },
});

/** A proposal, its decision and the executor's row, as the supervisor and the cloud executor write them. */
async function decided(o: {
  id: string;
  atMs: number;
  action: ActionSpec;
  rollback: ActionSpec;
  nodes?: string[];
  verdict?: string;
  execution?: string | null;
}): Promise<void> {
  const payload = {
    proposal_id: o.id,
    workload: WL,
    action: o.action,
    target: { workload: WL, ...(o.nodes ? { nodes: o.nodes } : {}) },
    rollback_plan: { action: o.rollback, verify_window_s: 60 },
  };
  await db.query(
    `INSERT INTO proposals (proposal_id, workload, agent, resource, priority_class, epoch, received_at, expires_at, payload)
     VALUES ($1, $2, 'performance', 'engine_config', 'slo', 1, $3, $3, $4)`,
    [o.id, WL, new Date(o.atMs), JSON.stringify(payload)]
  );
  const decisionId = `dec-${o.id}`;
  await db.query(
    `INSERT INTO decisions (decision_id, proposal_id, workload, verdict, execute, decided_by, mode, epoch, decided_at, payload)
     VALUES ($1, $2, $3, $4, true, 'supervisor', 'auto', 1, $5, $6)`,
    [
      decisionId,
      o.id,
      WL,
      o.verdict ?? 'approved',
      new Date(o.atMs),
      // the supervisor stores its decision effect: the wire decision under `decision`
      JSON.stringify({
        atMs: o.atMs,
        execute: true,
        decision: { decision_id: decisionId, action: o.action, reason: 'test' },
      }),
    ]
  );
  if (o.execution !== null) {
    await db.query(
      `INSERT INTO executions (decision_id, proposal_id, workload, epoch, action, status) VALUES ($1, $2, $3, 1, $4, $5)`,
      [decisionId, o.id, WL, JSON.stringify(o.action), o.execution ?? 'succeeded']
    );
  }
}

describe('postgresWorkloadState', () => {
  it('folds executed decisions up to the observation’s event time into engine flags, routing and changes', async () => {
    const seqs: ActionSpec = {
      kind: 'reconfigure_engine',
      changes: { 'max-num-seqs': 64, 'enable-prefix-caching': true },
    };
    await decided({
      id: 'p1',
      atMs: T0,
      action: seqs,
      rollback: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': null, 'enable-prefix-caching': null } },
      nodes: ['n0', 'n1'],
    });
    await decided({
      id: 'p2',
      atMs: T0 + 60_000,
      action: { kind: 'set_context_limit', max_model_len: 8192 },
      rollback: { kind: 'set_context_limit', max_model_len: 16384 },
      nodes: ['n1'],
    });
    // rejected, failed and not-yet-executed decisions changed nothing
    await decided({
      id: 'p3',
      atMs: T0 + 120_000,
      action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 8 } },
      rollback: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 64 } },
      nodes: ['n0'],
      verdict: 'rejected',
    });
    await decided({
      id: 'p4',
      atMs: T0 + 130_000,
      action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 16 } },
      rollback: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 64 } },
      nodes: ['n0'],
      execution: 'failed',
    });
    await decided({
      id: 'p5',
      atMs: T0 + 140_000,
      action: { kind: 'scale_replicas', from: 2, to: 3 },
      rollback: { kind: 'scale_replicas', from: 3, to: 2 },
      execution: null,
    });
    const route: ActionSpec = { kind: 'set_routing', policy: 'weighted', weights: { n0: 1, n1: 3 } };
    await decided({
      id: 'p6',
      atMs: T0 + 300_000,
      action: route,
      rollback: { kind: 'set_routing', policy: 'round_robin' },
    });

    const source = postgresWorkloadState(db);
    const at = await source.state(WL, spec, T0 + 200_000);
    expect(at.engineArgs).toEqual({
      n0: { 'max-num-seqs': 64, 'enable-prefix-caching': true },
      n1: { 'max-num-seqs': 64, 'enable-prefix-caching': true, 'max-model-len': 8192 },
    });
    // before the routing decision, the label the operator registered is the policy
    expect(at.routing).toEqual({ policy: 'round_robin' });
    expect(at.appliedChanges.map((c) => c.proposalId)).toEqual(['p1', 'p2']);
    expect(at.appliedChanges[1]).toEqual({
      ts: T0 + 60_000,
      action: { kind: 'set_context_limit', max_model_len: 8192 },
      rollback: { kind: 'set_context_limit', max_model_len: 16384 },
      proposalId: 'p2',
    });

    const later = await source.state(WL, spec, T0 + 400_000);
    expect(later.routing).toEqual({ policy: 'weighted', weights: { n0: 1, n1: 3 } });
    expect(later.appliedChanges.at(-1)!.proposalId).toBe('p6');

    // an edge that reported the change failed on n1 keeps n1's flags as they were
    const edged = await postgresWorkloadState(db, { failedNodes: (d) => (d === 'dec-p1' ? ['n1'] : undefined) }).state(
      WL,
      spec,
      T0 + 30_000
    );
    expect(edged.engineArgs).toEqual({ n0: { 'max-num-seqs': 64, 'enable-prefix-caching': true } });
  });
});
