import type { Proposal } from '../../schemas/index.js';
import type { PoolClient, Postgres } from '../../stores/index.js';
import type { ProposalMemory } from './arbiter.js';
import type { AuditRow, Effect } from './effects.js';

const iso = (ms: number): string => new Date(ms).toISOString();

type DecisionEffect = Extract<Effect, { type: 'decision' }>;

/** One proposal's row in `arbitration_state` (migration 010): the arbiter's memory of it. */
export interface ArbitrationStateRow {
  proposal_id: string;
  workload: string;
  state: ProposalMemory['tracked']['state'];
  fate?: string;
  epoch: number;
  /** Event time its execution started, ISO. */
  started_at?: string;
  memory: ProposalMemory;
  /** Its `oi.v1.cmd.decision.list` line while it awaits an operator (JSON). */
  pending?: unknown;
  last_decision?: DecisionEffect;
}

/**
 * The durable record of the priority protocol in PostgreSQL (migrations 006_decisions.sql and
 * 010_arbitration_state.sql): proposals as received, decisions, operator approvals, audit rows
 * and the arbiter's memory per proposal. One batch of effects is one transaction with one
 * statement per table, so a crash leaves all of it or none, and a batch of thousands costs a
 * handful of round trips.
 */
export class DecisionRepo {
  constructor(private readonly db: Postgres) {}

  /** Stores a proposal as received; a redelivery (same id) is a no-op. */
  async saveProposal(p: Proposal, receivedAtMs: number): Promise<void> {
    await this.saveProposals([{ proposal: p, receivedAtMs }]);
  }

  /** Stores proposals as received, in one statement; redeliveries (same id) are no-ops. */
  async saveProposals(items: readonly { proposal: Proposal; receivedAtMs: number }[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map(({ proposal: p, receivedAtMs }) => ({
      proposal_id: p.proposal_id,
      workload: p.workload,
      agent: p.agent,
      resource: p.resource,
      priority_class: p.priority_class,
      epoch: p.epoch,
      received_at: iso(receivedAtMs),
      expires_at: p.expires_at,
      payload: p,
    }));
    await this.db.query(
      `INSERT INTO proposals (proposal_id, workload, agent, resource, priority_class, epoch, received_at, expires_at, payload)
       SELECT x->>'proposal_id', x->>'workload', x->>'agent', x->>'resource', x->>'priority_class', (x->>'epoch')::bigint,
              (x->>'received_at')::timestamptz, (x->>'expires_at')::timestamptz, x->'payload'
       FROM jsonb_array_elements($1::jsonb) x
       ON CONFLICT (proposal_id) DO NOTHING`,
      [JSON.stringify(rows)]
    );
  }

  /**
   * Stores the decisions, operator verdicts and audit rows among `effects`, and the arbiter's
   * memory of the proposals they touched (`states`), in one transaction.
   */
  async record(effects: readonly Effect[], states: readonly ArbitrationStateRow[] = []): Promise<void> {
    const decisions = effects.filter((e): e is DecisionEffect => e.type === 'decision');
    const audits = effects.flatMap((e) => (e.type === 'audit' ? [e.row] : []));
    if (decisions.length === 0 && audits.length === 0 && states.length === 0) return;
    await this.db.withTransaction(async (tx) => {
      await insertDecisions(tx, decisions);
      await insertAudit(tx, audits);
      await upsertStates(tx, states);
    });
  }

  /**
   * The arbiter's memory a new leader restores: every proposal not settled, and settled ones
   * whose execution started within `capsMemoryMs` of the latest start (event time; the
   * action-rate and spend caps count them).
   */
  async liveStates(capsMemoryMs: number): Promise<ArbitrationStateRow[]> {
    const { rows } = await this.db.query<StateSql>(
      `SELECT proposal_id, workload, state, fate, epoch, started_at, memory, pending, last_decision
       FROM arbitration_state
       WHERE state <> 'settled'
          OR started_at > (SELECT max(started_at) FROM arbitration_state) - $1 * interval '1 millisecond'
       ORDER BY (memory->'tracked'->>'receivedAtMs')::double precision, proposal_id`,
      [capsMemoryMs]
    );
    return rows.map(fromSql);
  }

  /** Last decisions of proposals whose memory was written in the last `withinMs` (wall clock). */
  async recentDecisions(withinMs: number): Promise<DecisionEffect[]> {
    const { rows } = await this.db.query<{ last_decision: DecisionEffect }>(
      `SELECT last_decision FROM arbitration_state
       WHERE last_decision IS NOT NULL AND state = 'settled' AND updated_at > now() - $1 * interval '1 millisecond'
       ORDER BY updated_at`,
      [withinMs]
    );
    return rows.map((r) => r.last_decision);
  }

  /** The stored memory of these proposals (those never stored are absent). */
  async statesOf(proposalIds: readonly string[]): Promise<ArbitrationStateRow[]> {
    if (proposalIds.length === 0) return [];
    const { rows } = await this.db.query<StateSql>(
      `SELECT proposal_id, workload, state, fate, epoch, started_at, memory, pending, last_decision
       FROM arbitration_state WHERE proposal_id = ANY($1::text[])`,
      [proposalIds]
    );
    return rows.map(fromSql);
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

interface StateSql {
  proposal_id: string;
  workload: string;
  state: ArbitrationStateRow['state'];
  fate: string | null;
  epoch: string;
  started_at: Date | null;
  memory: ProposalMemory;
  pending: unknown;
  last_decision: DecisionEffect | null;
}

function fromSql(r: StateSql): ArbitrationStateRow {
  return {
    proposal_id: r.proposal_id,
    workload: r.workload,
    state: r.state,
    ...(r.fate ? { fate: r.fate } : {}),
    epoch: Number(r.epoch),
    ...(r.started_at ? { started_at: r.started_at.toISOString() } : {}),
    memory: r.memory,
    ...(r.pending ? { pending: r.pending } : {}),
    ...(r.last_decision ? { last_decision: r.last_decision } : {}),
  };
}

async function insertDecisions(tx: PoolClient, effects: readonly DecisionEffect[]): Promise<void> {
  if (effects.length === 0) return;
  const rows = effects.map((e) => {
    const d = e.decision;
    const { type: _t, ...payload } = e;
    return {
      decision_id: d.decision_id,
      proposal_id: d.proposal_id,
      workload: d.workload,
      verdict: d.verdict,
      execute: e.execute,
      decided_by: d.decided_by,
      mode: d.mode,
      epoch: d.epoch,
      decided_at: iso(e.atMs),
      payload,
    };
  });
  const inserted = await tx.query<{ decision_id: string }>(
    `INSERT INTO decisions (decision_id, proposal_id, workload, verdict, execute, decided_by, mode, epoch, decided_at, payload)
     SELECT x->>'decision_id', x->>'proposal_id', x->>'workload', x->>'verdict', (x->>'execute')::boolean,
            x->>'decided_by', x->>'mode', (x->>'epoch')::bigint, (x->>'decided_at')::timestamptz, x->'payload'
     FROM jsonb_array_elements($1::jsonb) x
     ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
    [JSON.stringify(rows)]
  );
  if (inserted.rowCount === rows.length) return;
  // a replayed batch is fine; the same id for another decision means the id source is not unique
  const fresh = new Set(inserted.rows.map((r) => r.decision_id));
  const replayed = rows.filter((r) => !fresh.has(r.decision_id));
  const { rows: had } = await tx.query<{ decision_id: string; proposal_id: string; verdict: string }>(
    'SELECT decision_id, proposal_id, verdict FROM decisions WHERE decision_id = ANY($1::text[])',
    [replayed.map((r) => r.decision_id)]
  );
  const byId = new Map(had.map((h) => [h.decision_id, h]));
  for (const r of replayed) {
    const h = byId.get(r.decision_id);
    if (h && (h.proposal_id !== r.proposal_id || h.verdict !== r.verdict)) {
      throw new Error(
        `decision id ${r.decision_id} already stored for ${h.proposal_id} (${h.verdict}); ` +
          'give the Arbiter a unique newDecisionId (e.g. bus newId)'
      );
    }
  }
}

async function insertAudit(tx: PoolClient, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO decision_audit (epoch, seq, workload, proposal_id, kind, at, row)
     SELECT (x->>'epoch')::bigint, (x->>'seq')::bigint, x->>'workload', x->>'proposal_id', x->>'kind',
            (x->>'at')::timestamptz, x
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, n) ORDER BY n`,
    [JSON.stringify(rows)]
  );
  const verdicts = rows
    .filter((r) => r.kind === 'approval' || r.kind === 'operator_rejection')
    .map((r) => ({
      proposal_id: r.proposal_id,
      workload: r.workload,
      operator: r.actor,
      verdict: r.kind === 'approval' ? 'approved' : 'rejected',
      reason: r.reason,
      at: r.at,
    }));
  if (verdicts.length === 0) return;
  await tx.query(
    `INSERT INTO approvals (proposal_id, workload, operator, verdict, reason, at)
     SELECT x->>'proposal_id', x->>'workload', x->>'operator', x->>'verdict', x->>'reason', (x->>'at')::timestamptz
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, n) ORDER BY n`,
    [JSON.stringify(verdicts)]
  );
}

async function upsertStates(tx: PoolClient, states: readonly ArbitrationStateRow[]): Promise<void> {
  if (states.length === 0) return;
  // one row per proposal in a statement (ON CONFLICT DO UPDATE refuses to touch a row twice)
  const last = new Map(states.map((s) => [s.proposal_id, s]));
  await tx.query(
    `INSERT INTO arbitration_state (proposal_id, workload, state, fate, epoch, started_at, memory, pending, last_decision, updated_at)
     SELECT x->>'proposal_id', x->>'workload', x->>'state', x->>'fate', (x->>'epoch')::bigint,
            (x->>'started_at')::timestamptz, x->'memory', x->'pending', x->'last_decision', now()
     FROM jsonb_array_elements($1::jsonb) x
     ON CONFLICT (proposal_id) DO UPDATE SET
       workload = EXCLUDED.workload, state = EXCLUDED.state, fate = EXCLUDED.fate, epoch = EXCLUDED.epoch,
       started_at = COALESCE(EXCLUDED.started_at, arbitration_state.started_at), memory = EXCLUDED.memory,
       pending = EXCLUDED.pending, last_decision = COALESCE(EXCLUDED.last_decision, arbitration_state.last_decision),
       updated_at = now()
     WHERE arbitration_state.epoch <= EXCLUDED.epoch`,
    [JSON.stringify([...last.values()])]
  );
}
