import type { Proposal } from '../../schemas/index.js';
import type { PoolClient, Postgres } from '../../stores/index.js';
import type { AuditRow, Effect } from './effects.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The durable record of the priority protocol in PostgreSQL (migration 006_decisions.sql):
 * proposals as received, decisions, operator approvals and audit rows. Writes of one batch of
 * effects share a transaction, so a crash leaves all of them or none.
 */
export class DecisionRepo {
  constructor(private readonly db: Postgres) {}

  /** Stores a proposal as received; a redelivery (same id) is a no-op. */
  async saveProposal(p: Proposal, receivedAtMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO proposals (proposal_id, workload, agent, resource, priority_class, epoch, received_at, expires_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (proposal_id) DO NOTHING`,
      [p.proposal_id, p.workload, p.agent, p.resource, p.priority_class, p.epoch, iso(receivedAtMs), p.expires_at, p]
    );
  }

  /** Stores the decisions, operator verdicts and audit rows among `effects` in one transaction. */
  async record(effects: readonly Effect[]): Promise<void> {
    if (!effects.some((e) => e.type === 'decision' || e.type === 'audit')) return;
    await this.db.withTransaction(async (tx) => {
      for (const e of effects) {
        if (e.type === 'decision') await insertDecision(tx, e);
        else if (e.type === 'audit') await insertAudit(tx, e.row);
      }
    });
  }

  /** Audit rows of one proposal, oldest first. */
  async auditOf(proposalId: string): Promise<AuditRow[]> {
    const { rows } = await this.db.query<{ row: AuditRow }>(
      'SELECT row FROM decision_audit WHERE proposal_id = $1 ORDER BY at, epoch, seq, id',
      [proposalId]
    );
    return rows.map((r) => r.row);
  }

  /** Audit rows of a workload in `[fromMs, toMs)`, oldest first: a window's whole story. */
  async auditOfWorkload(workload: string, fromMs: number, toMs: number): Promise<AuditRow[]> {
    const { rows } = await this.db.query<{ row: AuditRow }>(
      `SELECT row FROM decision_audit WHERE workload = $1 AND at >= $2 AND at < $3 ORDER BY at, epoch, seq, id`,
      [workload, iso(fromMs), iso(toMs)]
    );
    return rows.map((r) => r.row);
  }

  /** Decisions taken on a proposal, oldest first, with who took them. */
  async decisionsOf(
    proposalId: string
  ): Promise<{ decision_id: string; verdict: string; decided_by: string; execute: boolean }[]> {
    const { rows } = await this.db.query<{
      decision_id: string;
      verdict: string;
      decided_by: string;
      execute: boolean;
    }>(
      'SELECT decision_id, verdict, decided_by, execute FROM decisions WHERE proposal_id = $1 ORDER BY decided_at, decision_id',
      [proposalId]
    );
    return rows;
  }
}

async function insertDecision(tx: PoolClient, e: Extract<Effect, { type: 'decision' }>): Promise<void> {
  const d = e.decision;
  const { type: _t, ...payload } = e;
  const inserted = await tx.query(
    `INSERT INTO decisions (decision_id, proposal_id, workload, verdict, execute, decided_by, mode, epoch, decided_at, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
    [
      d.decision_id,
      d.proposal_id,
      d.workload,
      d.verdict,
      e.execute,
      d.decided_by,
      d.mode,
      d.epoch,
      iso(e.atMs),
      payload,
    ]
  );
  if (inserted.rowCount) return;
  // a replayed batch is fine; the same id for another decision means the id source is not unique
  const { rows } = await tx.query<{ proposal_id: string; verdict: string }>(
    'SELECT proposal_id, verdict FROM decisions WHERE decision_id = $1',
    [d.decision_id]
  );
  const had = rows[0];
  if (had && (had.proposal_id !== d.proposal_id || had.verdict !== d.verdict)) {
    throw new Error(
      `decision id ${d.decision_id} already stored for ${had.proposal_id} (${had.verdict}); ` +
        'give the Arbiter a unique newDecisionId (e.g. bus newId)'
    );
  }
}

async function insertAudit(tx: PoolClient, row: AuditRow): Promise<void> {
  await tx.query(
    `INSERT INTO decision_audit (epoch, seq, workload, proposal_id, kind, at, row) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [row.epoch, row.seq, row.workload, row.proposal_id, row.kind, row.at, row]
  );
  if (row.kind === 'approval' || row.kind === 'operator_rejection') {
    await tx.query(
      `INSERT INTO approvals (proposal_id, workload, operator, verdict, reason, at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.proposal_id, row.workload, row.actor, row.kind === 'approval' ? 'approved' : 'rejected', row.reason, row.at]
    );
  }
}
