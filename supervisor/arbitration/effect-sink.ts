import {
  decisionV1,
  decisionV2,
  noticeV1,
  subjects,
  type DecisionV2,
  type Notice,
  type Severity,
} from '../../schemas/index.js';
import { makeEnvelope, newId, publishEnvelope, type Bus } from '../../bus/index.js';
import {
  describeAction,
  type ArbitrationStateRow,
  type AuditKind,
  type DecisionRepo,
  type Effect,
} from '../priority/index.js';

/** Headers of a decision on OI_DEC, so executors fence and filter without parsing the body. */
export const DECISION_HEADERS = {
  epoch: 'Oi-Epoch',
  execute: 'Oi-Execute',
  capacity: 'Oi-Capacity',
  after: 'Oi-After',
} as const;

export const SUPERVISOR_SOURCE = 'oi-supervisor';

/** Audit kinds that also go to OI_EVT as their own event (decisions and fates have theirs). */
const AUDIT_EVENTS: Partial<Record<AuditKind, Severity>> = {
  approval: 'info',
  operator_rejection: 'info',
  guardrail_stop: 'warning',
};

interface Outgoing {
  subject: string;
  env: ReturnType<typeof makeEnvelope>;
  headers?: Record<string, string>;
}

const MAX_MESSAGE = 4000;

/**
 * Carries out a batch of arbiter effects: PostgreSQL first (the durable record), then the
 * decisions on `oi.v1.dec.<workload>` and events on `oi.v1.evt.priority.<event>.<workload>`,
 * published in effect order on one connection.
 */
export class EffectSink {
  constructor(
    private readonly bus: Bus,
    private readonly repo: DecisionRepo
  ) {}

  async apply(effects: readonly Effect[], states: readonly ArbitrationStateRow[] = []): Promise<void> {
    await this.record(effects, states);
    await this.publish(effects);
  }

  /** The durable half: PostgreSQL, one transaction. */
  async record(effects: readonly Effect[], states: readonly ArbitrationStateRow[] = []): Promise<void> {
    if (effects.length === 0 && states.length === 0) return;
    await this.repo.record(effects, states);
  }

  /** The bus half: decisions and events in effect order (also what a new leader re-sends). */
  async publish(effects: readonly Effect[]): Promise<void> {
    const out = effects.flatMap((e) => this.#messages(e));
    await Promise.all(
      out.map((o) =>
        publishEnvelope(this.bus.js, o.subject, o.env, {
          retry: { deadlineMs: 15_000 },
          ...(o.headers ? { headers: o.headers } : {}),
        })
      )
    );
  }

  #messages(e: Effect): Outgoing[] {
    const ts = new Date('atMs' in e ? e.atMs : Date.parse(e.row.at));
    const notice = (workload: string, event: string, severity: Severity, message: string, attrs: Notice['attrs']) => {
      const data = { domain: 'priority', event, workload, severity, message: message.slice(0, MAX_MESSAGE), attrs };
      return {
        subject: subjects.evt('priority', event, workload),
        env: makeEnvelope(noticeV1, data, { source: SUPERVISOR_SOURCE, id: newId(), ts }),
      };
    };
    switch (e.type) {
      case 'decision': {
        const d = e.decision;
        const headers: Record<string, string> = {
          [DECISION_HEADERS.epoch]: String(d.epoch),
          [DECISION_HEADERS.execute]: String(e.execute),
          ...(e.capacity ? { [DECISION_HEADERS.capacity]: e.capacity } : {}),
          ...(e.after ? { [DECISION_HEADERS.after]: e.after } : {}),
        };
        // v1 where it says everything; v2 when a joint resolution, a rollout or an undo must travel too
        const v2 = decisionV2Of(e);
        const env = v2
          ? makeEnvelope(decisionV2, v2, { source: SUPERVISOR_SOURCE, id: d.decision_id, ts })
          : makeEnvelope(decisionV1, d, { source: SUPERVISOR_SOURCE, id: d.decision_id, ts });
        return [{ subject: subjects.dec(d.workload), env, headers }];
      }
      case 'outcome':
        return [
          notice(e.workload, 'outcome', e.fate === 'decided' ? 'info' : 'warning', e.reason, {
            proposal_id: e.proposalId,
            fate: e.fate,
          }),
        ];
      case 'preempt':
        return [
          notice(e.workload, 'preempt', 'warning', `${e.proposalId} pre-empted by ${e.by}: ${e.undo}`, {
            proposal_id: e.proposalId,
            by: e.by,
            undo: e.undo,
          }),
        ];
      case 'lock':
        return [
          notice(e.lock.workload, 'lock', 'info', `${e.op} ${e.lock.resource}: ${e.reason}`, {
            op: e.op,
            resource: e.lock.resource,
            proposal_id: e.lock.proposalId,
            priority_class: e.lock.priorityClass,
            expires_at: new Date(e.lock.expiresAtMs).toISOString(),
            executing: e.lock.executing,
          }),
        ];
      case 'rollout':
        return [
          notice(e.workload, 'rollout', e.plan.status === 'rolled_back' ? 'critical' : 'info', e.reason, {
            proposal_id: e.proposalId,
            status: e.plan.status,
            step: Math.min(e.plan.current + 1, e.plan.steps.length),
            steps: e.plan.steps.length,
          }),
        ];
      case 'notify': {
        const pending = e.message.startsWith('approval needed');
        return [
          notice(e.workload, pending ? 'pending_approval' : 'executing', 'info', e.message, {
            proposal_id: e.proposalId,
          }),
        ];
      }
      case 'audit': {
        const r = e.row;
        const severity = AUDIT_EVENTS[r.kind];
        if (!severity) return [];
        return [
          notice(r.workload, r.kind, severity, `${r.rule}: ${r.reason}`, {
            proposal_id: r.proposal_id,
            actor: r.actor,
            rule: r.rule.slice(0, 2000),
            ...(r.guardrail ? { guardrail: r.guardrail } : {}),
            ...(r.proposal ? { action: describeAction(r.proposal.action).slice(0, 2000) } : {}),
          }),
        ];
      }
    }
  }
}

/** The decision as `oi.dec.decision.v2` when v1 cannot carry all of it; undefined otherwise. */
export function decisionV2Of(e: Extract<Effect, { type: 'decision' }>): DecisionV2 | undefined {
  if (!e.capacity && !e.after && !e.rollout && !e.undo) return undefined;
  const why = e.joint ?? 'joint resolution';
  return {
    ...e.decision,
    execute: e.execute,
    ...(e.capacity ? { capacity: { purchase_option: e.capacity, why } } : {}),
    ...(e.after ? { after: { proposal_id: e.after, why } } : {}),
    ...(e.rollout
      ? {
          rollout: {
            total_replicas: e.rollout.totalReplicas,
            steps: e.rollout.steps.map((s) => ({ share: s.share, replicas: s.replicas })),
            current: e.rollout.current,
            status: e.rollout.status,
          },
        }
      : {}),
    ...(e.undo ? { undo: e.undo } : {}),
  };
}
