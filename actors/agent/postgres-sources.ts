import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { Postgres } from '../../stores/index.js';
import type { Verdict } from '../../schemas/index.js';
import type { DecisionView } from './agent-graph.js';
import type { DecisionSource } from './agent-actor.js';
import { actionOf, foldWorkloadState, type ExecutedDecision, type WorkloadStateSource } from './workload-state.js';

/** Schema the LangGraph checkpointer owns; kept apart from OptiInfra's tables. */
export const CHECKPOINT_SCHEMA = 'langgraph';

/** The PostgreSQL checkpointer on the process's pool, its tables created on first use. */
export async function openCheckpointer(db: Postgres): Promise<PostgresSaver> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${CHECKPOINT_SCHEMA}`);
  const saver = new PostgresSaver(db.pool, undefined, { schema: CHECKPOINT_SCHEMA });
  await saver.setup();
  return saver;
}

/**
 * Deletes checkpoints older than `maxAgeMs` (wall time of writing), always keeping each
 * thread's newest so a waiting agent can still resume. Returns how many were removed.
 */
export async function pruneCheckpoints(db: Postgres, maxAgeMs: number): Promise<number> {
  const s = CHECKPOINT_SCHEMA;
  return db.withTransaction(async (c) => {
    const old = await c.query<{ thread_id: string; checkpoint_ns: string; checkpoint_id: string }>(
      `SELECT thread_id, checkpoint_ns, checkpoint_id FROM ${s}.checkpoints k
        WHERE (checkpoint->>'ts')::timestamptz < now() - make_interval(secs => $1::float8 / 1000)
          AND checkpoint_id <> (SELECT max(checkpoint_id) FROM ${s}.checkpoints n
                                 WHERE n.thread_id = k.thread_id AND n.checkpoint_ns = k.checkpoint_ns)`,
      [maxAgeMs]
    );
    if (!old.rowCount) return 0;
    const keys = [
      old.rows.map((r) => r.thread_id),
      old.rows.map((r) => r.checkpoint_ns),
      old.rows.map((r) => r.checkpoint_id),
    ];
    for (const table of ['checkpoint_writes', 'checkpoints']) {
      await c.query(
        `DELETE FROM ${s}.${table} t USING unnest($1::text[], $2::text[], $3::text[]) AS d(thread_id, ns, id)
          WHERE t.thread_id = d.thread_id AND t.checkpoint_ns = d.ns AND t.checkpoint_id = d.id`,
        keys
      );
    }
    return old.rowCount;
  });
}

const FINAL_VERDICTS: readonly Verdict[] = ['approved', 'rejected', 'preempted', 'shadowed'];

/** Verdicts as the supervisor recorded them (`decisions`, written before they are published). */
export function postgresDecisions(db: Postgres): DecisionSource {
  return {
    async latest(proposalId) {
      // the row's payload is the supervisor's decision effect: the wire decision sits under `decision`
      const r = await db.query<{
        decision_id: string;
        verdict: Verdict;
        payload: { decision?: { reason?: string }; reason?: string };
      }>(
        `SELECT decision_id, verdict, payload FROM decisions
          WHERE proposal_id = $1 AND verdict = ANY($2::text[])
          ORDER BY decided_at DESC, decision_id DESC LIMIT 1`,
        [proposalId, FINAL_VERDICTS]
      );
      const row = r.rows[0];
      if (!row) return undefined;
      const view: DecisionView = {
        decisionId: row.decision_id,
        verdict: row.verdict,
        reason: row.payload.decision?.reason ?? row.payload.reason ?? '',
      };
      return view;
    },
  };
}

/** Newest executed decisions a state is folded from (engine flags older than these are forgotten). */
const STATE_DECISIONS = 500;

/**
 * The workload's state from the record of what ran: approved decisions decided by event time
 * `now` whose execution the executor recorded as succeeded (`executions`, migration 009), with
 * the proposal's target nodes and rollback plan. `failedNodes` may name nodes whose edge reported
 * an engine change failed (edge results live on OI_EVT, not here).
 */
export function postgresWorkloadState(
  db: Postgres,
  o: { failedNodes?: (decisionId: string) => string[] | undefined } = {}
): WorkloadStateSource {
  return {
    async state(workload, spec, now) {
      const r = await db.query<{
        decision_id: string;
        proposal_id: string;
        decided_at: Date;
        action: unknown;
        rollback: unknown;
        nodes: unknown;
      }>(
        `SELECT * FROM (
           SELECT d.decision_id, d.proposal_id, d.decided_at, e.action,
                  p.payload->'rollback_plan'->'action' AS rollback, p.payload->'target'->'nodes' AS nodes
             FROM decisions d
             JOIN executions e ON e.decision_id = d.decision_id AND e.status = 'succeeded'
             LEFT JOIN proposals p ON p.proposal_id = d.proposal_id
            WHERE d.workload = $1 AND d.verdict = 'approved' AND d.decided_at <= $2
            ORDER BY d.decided_at DESC, d.decision_id DESC LIMIT $3) newest
          ORDER BY decided_at, decision_id`,
        [workload, new Date(now), STATE_DECISIONS]
      );
      const executed: ExecutedDecision[] = [];
      for (const row of r.rows) {
        const action = actionOf(row.action);
        if (!action) continue;
        const rollback = actionOf(row.rollback);
        const nodes = Array.isArray(row.nodes) ? row.nodes.filter((n): n is string => typeof n === 'string') : [];
        const failed = o.failedNodes?.(row.decision_id);
        executed.push({
          decisionId: row.decision_id,
          proposalId: row.proposal_id,
          ts: row.decided_at.getTime(),
          action,
          ...(rollback ? { rollback } : {}),
          ...(nodes.length ? { nodes } : {}),
          ...(failed?.length ? { failedNodes: failed } : {}),
        });
      }
      return foldWorkloadState(executed, spec);
    },
  };
}
