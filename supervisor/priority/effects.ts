import type { Decision, PriorityClass, Proposal, ResourceKind, Verdict } from '../../schemas/index.js';
import type { GuardrailName, GuardrailState, RolloutPlan } from '../guardrails/index.js';
import type { OperatingMode } from './workload-context.js';

/** How every proposal ends (the arbiter's promise: each one reaches exactly one of these). */
export type Fate = 'decided' | 'rejected' | 'expired' | 'superseded';

/** A proposal's line in an audit row: who competed, how it ranked and what became of it. */
export interface Competitor {
  proposal_id: string;
  agent: string;
  priority_class: string;
  action: string;
  score: number;
  received_at: string;
  outcome: string;
}

export type AuditKind =
  | 'decision'
  | 'rejection'
  | 'approval'
  | 'operator_rejection'
  | 'guardrail_stop'
  | 'expiry'
  | 'supersede'
  | 'preemption'
  | 'completion';

/**
 * One audit record: enough (inputs, competitors, rule, guardrail state) that `explain` can say
 * why without any other source. JSON-safe, so it survives PostgreSQL jsonb unchanged.
 */
export interface AuditRow {
  seq: number;
  /** Fencing epoch of the supervisor that wrote it. */
  epoch: number;
  at: string;
  workload: string;
  proposal_id: string;
  kind: AuditKind;
  actor: string;
  verdict?: Verdict;
  fate?: Fate;
  decision_id?: string;
  rule: string;
  reason: string;
  mode?: OperatingMode;
  proposal?: Proposal;
  risk?: { level: string; declared: string; why: string; share: number; disagreement?: string };
  competitors?: Competitor[];
  guardrail?: GuardrailName;
  guardrails?: GuardrailState;
  joint?: string;
  preempted_by?: string;
}

export interface LockView {
  workload: string;
  resource: ResourceKind;
  proposalId: string;
  priorityClass: PriorityClass;
  expiresAtMs: number;
  executing: boolean;
}

/** What the arbiter asks the world to do; the supervisor process carries these out (I/O). */
export type Effect =
  | {
      type: 'decision';
      atMs: number;
      decision: Decision;
      /** Executors act only when true (approved, not shadowed, guardrails passed). */
      execute: boolean;
      /** Joint resolution: the added replicas run on spot capacity. */
      capacity?: 'spot';
      /** Run only after this proposal's action is verified (e.g. KV offload before a cheaper GPU). */
      after?: string;
      /** Why a joint resolution applies (spot capacity, offload first). */
      joint?: string;
      rollout?: RolloutPlan;
      /** Verdict preempted: how the pre-empted action is undone. */
      undo?: 'cancel' | 'rollback';
    }
  | { type: 'outcome'; atMs: number; workload: string; proposalId: string; fate: Fate; reason: string }
  | { type: 'preempt'; atMs: number; workload: string; proposalId: string; by: string; undo: 'cancel' | 'rollback' }
  | { type: 'lock'; atMs: number; op: 'acquired' | 'released'; lock: LockView; reason: string }
  | { type: 'rollout'; atMs: number; workload: string; proposalId: string; plan: RolloutPlan; reason: string }
  | { type: 'notify'; atMs: number; workload: string; proposalId: string; message: string }
  | { type: 'audit'; row: AuditRow };
