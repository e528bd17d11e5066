import type { Proposal, ResourceKind } from '../../schemas/index.js';
import {
  Guardrails,
  verifyStep,
  type ExecutionRequest,
  type GuardrailVerdict,
  type StartedAction,
} from '../guardrails/index.js';
import { ActionLocks } from './action-locks.js';
import { ApprovalError } from './approval-error.js';
import { parseArbiterConfig, type ArbiterConfig, type ArbiterConfigInput } from './arbiter-config.js';
import { checkConstraints, isConstraintStop } from './constraints.js';
import { conflictBetween, describeAction } from './conflicts.js';
import type { Competitor, Effect, Fate, LockView } from './effects.js';
import { executionRequest, rolloutFor } from './execution-plan.js';
import { spotScaleUp, wantsCheaperGpu, wantsGpuMemory } from './joint-resolution.js';
import { modeRuling } from './modes.js';
import { PRIORITY_RANK, compareProposals, ruleBetween, tieScore } from './priority-order.js';
import { Ledger, type Tracked } from './ledger.js';
import { classifyRisk } from './risk.js';
import type { WorkloadContext } from './workload-context.js';

interface Window {
  workload: string;
  closesAtMs: number;
  items: Tracked[];
}

/** Groups are settled in this order so a KV offload is known before the GPU choice. */
const RESOURCE_ORDER: readonly ResourceKind[] = [
  'replicas',
  'purchase_option',
  'engine_config',
  'instance_type',
  'context_limits',
  'routing',
];

export type { Tracked, ProposalState } from './ledger.js';

/**
 * Everything the arbiter holds about one proposal, JSON-safe: stored beside each batch of
 * effects, it lets a new supervisor leader carry on where the last one stopped.
 */
export interface ProposalMemory {
  tracked: Tracked;
  /** While the proposal waits in its workload's arbitration window: when that window closes. */
  windowClosesAtMs?: number;
  /** The action lock it holds. */
  lock?: LockView;
  /** Its execution counted against the hourly caps and the spend cap. */
  started?: StartedAction;
  /** Replicas its execution (or rollout step) is changing now. */
  inFlightReplicas?: number;
}

export interface ArbiterOptions {
  config?: ArbiterConfigInput;
  guardrails?: Guardrails;
  /** Decision ids; the default counts up (`dec-000001`), enough for one supervisor epoch. */
  newDecisionId?: () => string;
}

/**
 * The priority protocol as a state machine over event time (DESIGN.md "Supervisor"). Inputs
 * are proposals, approvals, completions and the passing of time; outputs are effects (data):
 * decisions, outcomes, locks, pre-emptions, notifications and audit rows. No I/O, no wall clock.
 * Every proposal ends decided, rejected, expired or superseded.
 */
export class Arbiter {
  readonly config: ArbiterConfig;
  readonly guardrails: Guardrails;
  readonly #locks = new ActionLocks();
  readonly #workloads = new Map<string, WorkloadContext>();
  readonly #proposals = new Map<string, Tracked>();
  readonly #windows = new Map<string, Window>();
  readonly #ledger: Ledger;
  #nowMs = Number.NEGATIVE_INFINITY;

  constructor(options: ArbiterOptions = {}) {
    this.config = parseArbiterConfig(options.config);
    this.guardrails = options.guardrails ?? new Guardrails();
    let seq = 0;
    const newDecisionId = options.newDecisionId ?? (() => `dec-${String(++seq).padStart(6, '0')}`);
    this.#ledger = new Ledger(this.#locks, this.#workloads, newDecisionId, this.config.epoch);
  }

  /** Registers or updates what the supervisor knows of a workload (mode, capacity, constraints). */
  setWorkload(ctx: WorkloadContext): void {
    if (!Number.isInteger(ctx.replicas) || ctx.replicas < 0) {
      throw new RangeError(`workload ${ctx.workload} replicas: must be a non-negative integer, got ${ctx.replicas}`);
    }
    if (!(ctx.usdPerMonth >= 0)) {
      throw new RangeError(`workload ${ctx.workload} usdPerMonth: must be ≥ 0, got ${ctx.usdPerMonth}`);
    }
    this.#workloads.set(ctx.workload, structuredClone(ctx));
  }

  setEpoch(epoch: number): void {
    this.#ledger.epoch = epoch;
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** Where a proposal stands: a fate, `pending` while in a window or awaiting approval, or unknown. */
  fateOf(proposalId: string): Fate | 'pending' | undefined {
    const t = this.#proposals.get(proposalId);
    if (!t) return undefined;
    return t.fate ?? 'pending';
  }

  locks(): LockView[] {
    return this.#locks.all();
  }

  /** What a new leader needs to know of `proposalId`; undefined if the arbiter never saw it. */
  memoryOf(proposalId: string): ProposalMemory | undefined {
    const t = this.#proposals.get(proposalId);
    if (!t) return undefined;
    const p = t.proposal;
    const held = this.#locks.holder(p.workload, p.resource);
    const w = t.state === 'window' ? this.#windows.get(p.workload) : undefined;
    return {
      tracked: structuredClone(t),
      ...(w ? { windowClosesAtMs: w.closesAtMs } : {}),
      ...(held?.proposalId === proposalId ? { lock: { ...held } } : {}),
      ...this.guardrails.memoryOf(proposalId),
    };
  }

  /**
   * Takes over proposals another arbiter (a previous leader) held: open windows, pending
   * approvals, executing actions with their locks, and the caps' memory. Proposals already
   * known are left alone; no effect is produced (each was recorded when it happened).
   */
  restore(memories: readonly ProposalMemory[]): void {
    for (const m of memories) {
      const id = m.tracked.proposal.proposal_id;
      if (this.#proposals.has(id)) continue;
      const t = structuredClone(m.tracked);
      const workload = t.proposal.workload;
      this.#proposals.set(id, t);
      if (t.state === 'window' && m.windowClosesAtMs !== undefined) {
        const w = this.#windows.get(workload);
        if (w) w.items.push(t);
        else this.#windows.set(workload, { workload, closesAtMs: m.windowClosesAtMs, items: [t] });
      }
      if (m.lock && !this.#locks.holder(m.lock.workload, m.lock.resource)) this.#locks.acquire(m.lock);
      this.guardrails.restore(workload, id, m);
    }
  }

  /** A proposal arrives at event time `atMs` (its envelope `ts`). Redeliveries are ignored. */
  submit(proposal: Proposal, atMs: number): Effect[] {
    const out = this.advance(atMs);
    const at = this.#nowMs;
    if (this.#proposals.has(proposal.proposal_id)) return out;
    const t: Tracked = { proposal, receivedAtMs: at, state: 'window' };
    this.#proposals.set(proposal.proposal_id, t);
    const ctx = this.#workloads.get(proposal.workload);
    if (!ctx) {
      this.#ledger.reject(
        out,
        t,
        at,
        'rejection',
        'unknown workload',
        `workload ${proposal.workload} is not registered`
      );
      return out;
    }
    if (Date.parse(proposal.expires_at) <= at) {
      this.#ledger.expire(out, t, at, `expired at ${proposal.expires_at}, before it arrived`);
      return out;
    }
    const w = this.#windows.get(proposal.workload);
    if (w) w.items.push(t);
    else
      this.#windows.set(proposal.workload, {
        workload: proposal.workload,
        closesAtMs: at + this.config.windowMs,
        items: [t],
      });
    return out;
  }

  /** Moves event time to `atMs` (never backwards), closing windows and expiring what is due. */
  advance(atMs: number): Effect[] {
    const out: Effect[] = [];
    const target = Math.max(atMs, this.#nowMs);
    // no window opens while time advances, so the due ones are sorted once
    const due = [...this.#windows.values()]
      .filter((w) => w.closesAtMs <= target)
      .sort((a, b) => a.closesAtMs - b.closesAtMs);
    let next = 0;
    for (;;) {
      const w = due[next];
      const lock = this.#locks.firstDueBy(target);
      if (w && (!lock || w.closesAtMs < lock.expiresAtMs)) {
        next++;
        this.#nowMs = Math.max(this.#nowMs, w.closesAtMs);
        this.#windows.delete(w.workload);
        this.#arbitrate(out, w, w.closesAtMs);
      } else if (lock) {
        this.#nowMs = Math.max(this.#nowMs, lock.expiresAtMs);
        this.#lockDue(out, lock);
      } else break;
    }
    this.#nowMs = target;
    return out;
  }

  /** The fleet-wide pause switch, effective for everything at or after `atMs`. */
  pause(by: string, atMs: number): Effect[] {
    const out = this.advance(atMs);
    this.guardrails.setPaused(true, by, this.#nowMs);
    return out;
  }

  resume(by: string, atMs: number): Effect[] {
    const out = this.advance(atMs);
    this.guardrails.setPaused(false, by, this.#nowMs);
    return out;
  }

  /** An operator approves a pending proposal; guardrails still apply. Throws ApprovalError. */
  approve(proposalId: string, approver: string, atMs: number): Effect[] {
    const out = this.advance(atMs);
    const t = this.#pending(proposalId, 'approve', out);
    const at = this.#nowMs;
    this.#ledger.audit(out, t, at, 'approval', approver, `approved by ${approver}`, `approved by ${approver}`);
    this.#execute(out, t, at, approver, `approved by ${approver}`);
    return out;
  }

  /** An operator turns a pending proposal down. Throws ApprovalError. */
  rejectPending(proposalId: string, operator: string, reason: string, atMs: number): Effect[] {
    const out = this.advance(atMs);
    const t = this.#pending(proposalId, 'reject', out);
    const at = this.#nowMs;
    this.#ledger.releaseLockOf(out, t, at, `rejected by ${operator}`);
    this.#ledger.reject(out, t, at, 'operator_rejection', `rejected by ${operator}`, reason, operator);
    return out;
  }

  /** The executor finished (verified or rolled back): the lock is released. Idempotent. */
  complete(proposalId: string, result: 'verified' | 'rolled_back' | 'failed', atMs: number): Effect[] {
    const out = this.advance(atMs);
    const t = this.#proposals.get(proposalId);
    if (!t || t.state !== 'executing') return out;
    const at = this.#nowMs;
    t.state = 'settled';
    this.guardrails.settle(proposalId);
    this.#ledger.releaseLockOf(out, t, at, `action ${result}`);
    this.#ledger.audit(out, t, at, 'completion', 'supervisor', `executor reported ${result}`, `action ${result}`);
    return out;
  }

  /** The executor verified (or failed to verify) the current rollout step. */
  reportStep(proposalId: string, ok: boolean, atMs: number): Effect[] {
    const out = this.advance(atMs);
    const t = this.#proposals.get(proposalId);
    if (!t?.rollout || t.state !== 'executing' || t.rollout.status !== 'running') return out;
    const at = this.#nowMs;
    const plan = verifyStep(t.rollout, ok);
    t.rollout = plan;
    const w = t.proposal.workload;
    this.guardrails.settle(proposalId);
    if (plan.status !== 'running') {
      const reason = plan.status === 'done' ? 'every step verified' : 'step verification failed: roll back';
      out.push({ type: 'rollout', atMs: at, workload: w, proposalId, plan, reason });
      return out;
    }
    const req = this.#request(t, false);
    const g = this.guardrails.check(req, at);
    if (!g.ok) {
      out.push({ type: 'rollout', atMs: at, workload: w, proposalId, plan, reason: `halted: ${g.reason}` });
      this.#ledger.audit(out, t, at, 'guardrail_stop', 'supervisor', `guardrail ${g.guardrail}`, g.reason, {
        guardrail: g.guardrail,
        guardrails: this.guardrails.state(w, at),
      });
      return out;
    }
    this.guardrails.record(req, at);
    out.push({ type: 'rollout', atMs: at, workload: w, proposalId, plan, reason: `step ${plan.current + 1} started` });
    return out;
  }

  // ---- arbitration --------------------------------------------------------------------

  #arbitrate(out: Effect[], w: Window, at: number): void {
    const ctx = this.#workloads.get(w.workload);
    const live: Tracked[] = [];
    for (const t of w.items) {
      if (Date.parse(t.proposal.expires_at) <= at)
        this.#ledger.expire(out, t, at, `expired at ${t.proposal.expires_at}`);
      else if (!ctx) this.#ledger.reject(out, t, at, 'rejection', 'unknown workload', `workload ${w.workload} is gone`);
      else live.push(t);
    }
    if (!ctx) return;
    const onlyOnSpot = new Set<string>();
    const eligible: Tracked[] = [];
    for (const t of live) {
      let c = checkConstraints(t.proposal, ctx, at, this.config.spotDiscount);
      if (
        !isConstraintStop(c) &&
        c.onlyOnSpot &&
        classifyRisk(t.proposal, ctx.replicas, this.config.risk).level === 'high'
      ) {
        c = {
          constraint: 'max_cost_increase_pct',
          reason: 'fits max_cost_increase_pct only on spot, and the change is too risky (high) for spot capacity',
        };
      }
      if (isConstraintStop(c)) {
        t.outcome = `stopped by constraint ${c.constraint}`;
        this.#ledger.reject(out, t, at, 'rejection', `constraint ${c.constraint}`, c.reason);
      } else {
        if (c.onlyOnSpot) onlyOnSpot.add(t.proposal.proposal_id);
        eligible.push(t);
      }
    }
    const windowProposals = w.items.map((t) => t.proposal);
    let offload: Tracked | undefined;
    for (const resource of RESOURCE_ORDER) {
      const all = w.items.filter((t) => t.proposal.resource === resource);
      let group = eligible.filter((t) => t.proposal.resource === resource);
      if (group.length === 0) {
        if (all.length) this.#attachCompetitors(all);
        continue;
      }
      if (resource === 'instance_type' && offload) {
        const by = offload;
        for (const t of group.filter((x) => wantsGpuMemory(x.proposal))) {
          t.outcome = `superseded by KV offload ${by.proposal.proposal_id}`;
          this.#ledger.supersede(
            out,
            t,
            at,
            by.proposal.proposal_id,
            'joint: KV offload first (seed 000 §19.2 scenario 2)'
          );
        }
        group = group.filter((t) => t.state === 'window');
        if (group.length === 0) continue;
      }
      group.sort((a, b) => compareProposals(a, b));
      const winner = group[0] as Tracked;
      for (const loser of group.slice(1)) {
        const conflict = conflictBetween(winner.proposal, loser.proposal);
        loser.outcome =
          conflict?.kind === 'duplicate'
            ? `superseded by duplicate ${winner.proposal.proposal_id}`
            : `lost to ${winner.proposal.proposal_id}: ${ruleBetween(winner, loser)}`;
      }
      winner.outcome = 'won';
      this.#attachCompetitors(all);
      for (const loser of group.slice(1)) {
        const conflict = conflictBetween(winner.proposal, loser.proposal);
        const rule = ruleBetween(winner, loser);
        if (conflict?.kind === 'duplicate') {
          this.#ledger.supersede(
            out,
            loser,
            at,
            winner.proposal.proposal_id,
            `same action as ${winner.proposal.proposal_id}`
          );
        } else {
          const why = `lost to ${winner.proposal.proposal_id} (${rule}; ${conflict?.kind ?? 'exclusive'}: ${conflict?.why ?? 'one lock'})`;
          this.#ledger.reject(out, loser, at, 'rejection', rule, why);
        }
      }
      const joint = spotScaleUp(
        winner.proposal,
        windowProposals,
        ctx,
        classifyRisk(winner.proposal, ctx.replicas, this.config.risk),
        onlyOnSpot.has(winner.proposal.proposal_id)
      );
      if (joint) {
        winner.capacity = joint.capacity;
        winner.joint = joint.why;
      }
      if (resource === 'instance_type' && offload && wantsCheaperGpu(winner.proposal)) {
        winner.after = offload.proposal.proposal_id;
        winner.joint = `joint: runs after KV offload ${offload.proposal.proposal_id} is verified (seed 000 §19.2 scenario 2)`;
      }
      this.#decideWinner(
        out,
        winner,
        ctx,
        at,
        group.length > 1 ? ruleBetween(winner, group[1] as Tracked) : 'unopposed'
      );
      if (
        resource === 'engine_config' &&
        winner.proposal.action.kind === 'enable_kv_offload' &&
        (winner.state === 'pending_approval' || winner.state === 'executing' || winner.fate === 'decided')
      ) {
        offload = winner;
      }
    }
  }

  #attachCompetitors(all: Tracked[]): void {
    const list: Competitor[] = all.map((t) => ({
      proposal_id: t.proposal.proposal_id,
      agent: t.proposal.agent,
      priority_class: t.proposal.priority_class,
      action: describeAction(t.proposal.action),
      score: tieScore(t.proposal),
      received_at: new Date(t.receivedAtMs).toISOString(),
      outcome: t.outcome ?? (t.fate === 'expired' ? 'expired' : (t.fate ?? 'pending')),
    }));
    for (const t of all) t.competitors = list;
  }

  #decideWinner(out: Effect[], t: Tracked, ctx: WorkloadContext, at: number, rule: string): void {
    const p = t.proposal;
    const holder = this.#locks.holder(p.workload, p.resource);
    if (holder && holder.proposalId !== p.proposal_id) {
      const held = this.#proposals.get(holder.proposalId);
      const conflict = held ? conflictBetween(held.proposal, p) : undefined;
      if (conflict?.kind === 'duplicate') {
        this.#ledger.supersede(out, t, at, holder.proposalId, `same action as in-flight ${holder.proposalId}`);
        return;
      }
      const rank = PRIORITY_RANK[p.priority_class];
      const heldRank = PRIORITY_RANK[holder.priorityClass];
      if (rank >= heldRank || !held) {
        const until = new Date(holder.expiresAtMs).toISOString();
        this.#ledger.reject(
          out,
          t,
          at,
          'rejection',
          `action lock held by ${holder.priorityClass} (not outranked by ${p.priority_class})`,
          `${p.resource} is locked by ${holder.proposalId} until ${until}`
        );
        return;
      }
      this.#preempt(out, held, t, at);
      rule = `pre-empts ${holder.proposalId}: priority ${p.priority_class} > ${holder.priorityClass}`;
    }
    t.risk = classifyRisk(p, ctx.replicas, this.config.risk);
    t.mode = ctx.mode;
    t.rule = rule;
    const ruling = modeRuling(ctx.mode, t.risk.level);
    if (ruling.next === 'shadow') {
      const would = this.guardrails.check(this.#request(t, true), at);
      const note = would.ok ? 'guardrails would pass' : `would be stopped: ${would.reason}`;
      t.state = 'settled';
      t.fate = 'decided';
      this.#ledger.decision(out, t, at, 'shadowed', `${rule}; ${ruling.rule}; ${note}`, 'supervisor', false);
      this.#ledger.outcome(out, t, at, 'decided', `shadowed (${note})`);
      this.#ledger.audit(out, t, at, 'decision', 'supervisor', `${rule}; ${ruling.rule}`, note, {
        verdict: 'shadowed',
        ...(would.ok ? {} : { guardrail: would.guardrail }),
        guardrails: this.guardrails.state(p.workload, at),
      });
      return;
    }
    if (ruling.next === 'await_approval') {
      const expiresAtMs = Math.min(Date.parse(p.expires_at), at + this.config.approvalTtlMs);
      t.state = 'pending_approval';
      t.approvalExpiresAtMs = expiresAtMs;
      this.#ledger.takeLock(out, t, at, expiresAtMs, false, 'won arbitration, awaiting approval');
      const reason = `${rule}; ${ruling.rule} (until ${new Date(expiresAtMs).toISOString()})`;
      this.#ledger.decision(out, t, at, 'pending_approval', reason, 'supervisor', false);
      this.#ledger.audit(out, t, at, 'decision', 'supervisor', `${rule}; ${ruling.rule}`, reason, {
        verdict: 'pending_approval',
      });
      if (ruling.notify)
        this.#ledger.notify(out, t, at, `approval needed: ${describeAction(p.action)} (${t.risk.level} risk)`);
      return;
    }
    this.#execute(out, t, at, 'supervisor', `${rule}; ${ruling.rule}`);
    if (ruling.notify && t.state === 'executing') {
      this.#ledger.notify(out, t, at, `executing: ${describeAction(p.action)} (${t.risk.level} risk)`);
    }
  }

  /** Runs `t` now if every guardrail allows; otherwise it ends rejected, naming the guardrail. */
  #execute(out: Effect[], t: Tracked, at: number, decidedBy: string, rule: string): void {
    const p = t.proposal;
    const ctx = this.#workloads.get(p.workload);
    t.rollout ??= rolloutFor(t, ctx?.replicas ?? 0, this.guardrails.config);
    const req = this.#request(t, true);
    const g: GuardrailVerdict = ctx ? this.guardrails.check(req, at) : { ok: true };
    if (!g.ok) {
      this.#ledger.releaseLockOf(out, t, at, `stopped by guardrail ${g.guardrail}`);
      this.#ledger.reject(out, t, at, 'guardrail_stop', `guardrail ${g.guardrail}`, g.reason, decidedBy, {
        guardrail: g.guardrail,
        guardrails: this.guardrails.state(p.workload, at),
      });
      return;
    }
    this.guardrails.record(req, at);
    const verifyMs = p.rollback_plan.verify_window_s * 1000;
    this.#ledger.takeLock(out, t, at, at + Math.max(this.config.lockTtlMs, verifyMs), true, 'executing');
    t.state = 'executing';
    t.fate = 'decided';
    const reason = [rule, t.joint].filter(Boolean).join('; ');
    this.#ledger.decision(out, t, at, 'approved', reason, decidedBy, true);
    this.#ledger.outcome(out, t, at, 'decided', reason);
    this.#ledger.audit(out, t, at, 'decision', decidedBy, rule, reason, {
      verdict: 'approved',
      guardrails: this.guardrails.state(p.workload, at),
    });
    if (t.rollout) {
      out.push({
        type: 'rollout',
        atMs: at,
        workload: p.workload,
        proposalId: p.proposal_id,
        plan: t.rollout,
        reason: 'step 1 started',
      });
    }
  }

  #request(t: Tracked, firstStep: boolean): ExecutionRequest {
    const replicas = this.#workloads.get(t.proposal.workload)?.replicas ?? 0;
    return executionRequest(t, replicas, this.config.spotDiscount, firstStep);
  }

  #preempt(out: Effect[], held: Tracked, by: Tracked, at: number): void {
    const undo = held.state === 'executing' ? 'rollback' : 'cancel';
    const byId = by.proposal.proposal_id;
    const reason = `pre-empted by ${byId} (priority ${by.proposal.priority_class} > ${held.proposal.priority_class}): ${undo}`;
    out.push({
      type: 'preempt',
      atMs: at,
      workload: held.proposal.workload,
      proposalId: held.proposal.proposal_id,
      by: byId,
      undo,
    });
    this.guardrails.settle(held.proposal.proposal_id);
    this.#ledger.releaseLockOf(out, held, at, `pre-empted by ${byId}`);
    held.state = 'settled';
    held.fate = 'superseded';
    this.#ledger.decision(out, held, at, 'preempted', reason, 'supervisor', false, byId, undo);
    this.#ledger.outcome(out, held, at, 'superseded', reason);
    this.#ledger.audit(
      out,
      held,
      at,
      'preemption',
      'supervisor',
      `priority ${by.proposal.priority_class} > ${held.proposal.priority_class}`,
      reason,
      {
        verdict: 'preempted',
        preempted_by: byId,
      }
    );
  }

  #lockDue(out: Effect[], lock: LockView): void {
    const t = this.#proposals.get(lock.proposalId);
    const at = lock.expiresAtMs;
    if (t?.state === 'pending_approval') {
      this.#ledger.releaseLockOf(out, t, at, 'approval expired');
      this.#ledger.expire(out, t, at, `no approval before ${new Date(at).toISOString()}`);
      return;
    }
    this.#locks.release(lock.workload, lock.resource);
    out.push({ type: 'lock', atMs: at, op: 'released', lock, reason: 'lock TTL passed' });
    if (t?.state === 'executing') {
      t.state = 'settled';
      this.guardrails.settle(t.proposal.proposal_id);
    }
  }

  // ---- bookkeeping --------------------------------------------------------------------

  #pending(proposalId: string, verb: string, out: Effect[]): Tracked {
    try {
      return this.#pendingOrThrow(proposalId, verb);
    } catch (err) {
      if (err instanceof ApprovalError) err.effects = out;
      throw err;
    }
  }

  #pendingOrThrow(proposalId: string, verb: string): Tracked {
    const t = this.#proposals.get(proposalId);
    if (!t) throw new ApprovalError('unknown_proposal', proposalId, `cannot ${verb} ${proposalId}: no such proposal`);
    if (t.fate === 'expired') {
      throw new ApprovalError('expired', proposalId, `cannot ${verb} ${proposalId}: it expired (${t.outcome ?? ''})`);
    }
    if (t.fate) {
      throw new ApprovalError(
        'already_decided',
        proposalId,
        `cannot ${verb} ${proposalId}: already ${t.fate} (${t.outcome ?? ''})`
      );
    }
    if (t.state !== 'pending_approval') {
      throw new ApprovalError('not_pending', proposalId, `cannot ${verb} ${proposalId}: it is still being arbitrated`);
    }
    return t;
  }
}
