import type { Decision, Proposal, Verdict } from '../../schemas/index.js';
import type { RolloutPlan } from '../guardrails/index.js';
import type { ActionLocks } from './action-locks.js';
import type { AuditKind, AuditRow, Competitor, Effect, Fate, LockView } from './effects.js';
import type { RiskAssessment } from './risk.js';
import type { OperatingMode, WorkloadContext } from './workload-context.js';

export type ProposalState = 'window' | 'pending_approval' | 'executing' | 'settled';

/** The arbiter's record of one proposal. */
export interface Tracked {
  proposal: Proposal;
  receivedAtMs: number;
  state: ProposalState;
  fate?: Fate;
  outcome?: string;
  risk?: RiskAssessment;
  mode?: OperatingMode;
  decisionId?: string;
  approvalExpiresAtMs?: number;
  capacity?: 'spot';
  after?: string;
  joint?: string;
  rule?: string;
  competitors?: Competitor[];
  rollout?: RolloutPlan;
}

/**
 * Records what happens to proposals as effects: verdicts (wire decisions), fates, locks,
 * notifications and audit rows. Shared state of the arbiter, kept apart from its rules.
 */
export class Ledger {
  #auditSeq = 0;

  constructor(
    readonly locks: ActionLocks,
    readonly workloads: ReadonlyMap<string, WorkloadContext>,
    readonly newDecisionId: () => string,
    public epoch: number
  ) {}

  takeLock(out: Effect[], t: Tracked, at: number, expiresAtMs: number, executing: boolean, reason: string): void {
    const p = t.proposal;
    const had = this.locks.holder(p.workload, p.resource)?.proposalId === p.proposal_id;
    const lock: LockView = {
      workload: p.workload,
      resource: p.resource,
      proposalId: p.proposal_id,
      priorityClass: p.priority_class,
      expiresAtMs,
      executing,
    };
    this.locks.acquire(lock);
    if (!had) out.push({ type: 'lock', atMs: at, op: 'acquired', lock, reason });
  }

  releaseLockOf(out: Effect[], t: Tracked, at: number, reason: string): void {
    const p = t.proposal;
    const held = this.locks.holder(p.workload, p.resource);
    if (held?.proposalId !== p.proposal_id) return;
    this.locks.release(p.workload, p.resource);
    out.push({ type: 'lock', atMs: at, op: 'released', lock: held, reason });
  }

  reject(
    out: Effect[],
    t: Tracked,
    at: number,
    kind: AuditKind,
    rule: string,
    reason: string,
    actor = 'supervisor',
    extra: Partial<AuditRow> = {}
  ): void {
    t.state = 'settled';
    t.fate = 'rejected';
    t.outcome ??= reason;
    this.decision(out, t, at, 'rejected', reason, actor, false);
    this.outcome(out, t, at, 'rejected', reason);
    this.audit(out, t, at, kind, actor, rule, reason, { verdict: 'rejected', ...extra });
  }

  expire(out: Effect[], t: Tracked, at: number, reason: string): void {
    t.state = 'settled';
    t.fate = 'expired';
    t.outcome = reason;
    this.outcome(out, t, at, 'expired', reason);
    this.audit(out, t, at, 'expiry', 'supervisor', 'expiry', reason);
  }

  supersede(out: Effect[], t: Tracked, at: number, by: string, why: string): void {
    t.state = 'settled';
    t.fate = 'superseded';
    t.outcome ??= `superseded by ${by}`;
    const reason = `superseded by ${by}: ${why}`;
    this.outcome(out, t, at, 'superseded', reason);
    this.audit(out, t, at, 'supersede', 'supervisor', why, reason, { preempted_by: by });
  }

  outcome(out: Effect[], t: Tracked, at: number, fate: Fate, reason: string): void {
    out.push({
      type: 'outcome',
      atMs: at,
      workload: t.proposal.workload,
      proposalId: t.proposal.proposal_id,
      fate,
      reason,
    });
  }

  notify(out: Effect[], t: Tracked, at: number, message: string): void {
    out.push({ type: 'notify', atMs: at, workload: t.proposal.workload, proposalId: t.proposal.proposal_id, message });
  }

  decision(
    out: Effect[],
    t: Tracked,
    at: number,
    verdict: Verdict,
    reason: string,
    decidedBy: string,
    execute: boolean,
    preemptedBy?: string,
    undo?: 'cancel' | 'rollback'
  ): void {
    const p = t.proposal;
    t.decisionId = this.newDecisionId(); // one id per verdict: pending and approved are two decisions
    const lock = this.locks.holder(p.workload, p.resource);
    const full = t.risk?.disagreement ? `${reason}; ${t.risk.disagreement}` : reason;
    const decision: Decision = {
      decision_id: t.decisionId,
      proposal_id: p.proposal_id,
      workload: p.workload,
      verdict,
      reason: full.slice(0, 4000),
      action: p.action,
      epoch: this.epoch,
      decided_by: decidedBy,
      mode: t.mode ?? this.workloads.get(p.workload)?.mode ?? 'advisory',
      ...(lock?.proposalId === p.proposal_id && lock.expiresAtMs > at
        ? { lock: { resource: p.resource, ttl_s: Math.min(31_536_000, (lock.expiresAtMs - at) / 1000) } }
        : {}),
      ...(preemptedBy ? { preempted_by: preemptedBy } : {}),
    };
    out.push({
      type: 'decision',
      atMs: at,
      decision,
      execute,
      ...(execute && t.capacity ? { capacity: t.capacity } : {}),
      ...(execute && t.after ? { after: t.after } : {}),
      ...(execute && t.joint && (t.capacity || t.after) ? { joint: t.joint } : {}),
      ...(execute && t.rollout ? { rollout: t.rollout } : {}),
      ...(undo ? { undo } : {}),
    });
  }

  audit(
    out: Effect[],
    t: Tracked,
    at: number,
    kind: AuditKind,
    actor: string,
    rule: string,
    reason: string,
    extra: Partial<AuditRow> = {}
  ): void {
    const p = t.proposal;
    const row: AuditRow = {
      seq: ++this.#auditSeq,
      epoch: this.epoch,
      at: new Date(at).toISOString(),
      workload: p.workload,
      proposal_id: p.proposal_id,
      kind,
      actor,
      rule,
      reason,
      proposal: p,
      ...(t.fate ? { fate: t.fate } : {}),
      ...(t.decisionId ? { decision_id: t.decisionId } : {}),
      ...(t.mode ? { mode: t.mode } : {}),
      ...(t.risk
        ? {
            risk: {
              level: t.risk.level,
              declared: t.risk.declared,
              why: t.risk.why,
              share: t.risk.share,
              ...(t.risk.disagreement ? { disagreement: t.risk.disagreement } : {}),
            },
          }
        : {}),
      ...(t.competitors ? { competitors: t.competitors } : {}),
      ...(t.joint ? { joint: t.joint } : {}),
      ...extra,
    };
    out.push({ type: 'audit', row: structuredClone(row) });
  }
}
