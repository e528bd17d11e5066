import type { Proposal } from '../../schemas/index.js';
import { describeAction, type Effect } from '../priority/index.js';

export interface PendingApproval {
  proposal_id: string;
  decision_id: string;
  workload: string;
  resource: Proposal['resource'];
  priority_class: Proposal['priority_class'];
  action: string;
  reason: string;
  decided_at: string;
  expires_at: string;
}

/**
 * Proposals in flight (received, not yet ended) and those waiting for an operator, kept from
 * the arbiter's own effects so `oi.v1.cmd.decision.list` needs no query.
 */
export class PendingApprovals {
  readonly #inFlight = new Map<string, Proposal>();
  readonly #pending = new Map<string, PendingApproval>();

  constructor(private readonly approvalTtlMs: number) {}

  received(p: Proposal): void {
    this.#inFlight.set(p.proposal_id, p);
  }

  /** The line of a proposal awaiting an operator, if it does. */
  get(proposalId: string): PendingApproval | undefined {
    return this.#pending.get(proposalId);
  }

  /** Takes back a proposal a previous leader held: still arbitrated, or awaiting an operator. */
  restore(p: Proposal, pending: PendingApproval | undefined): void {
    this.#inFlight.set(p.proposal_id, p);
    if (pending) this.#pending.set(p.proposal_id, pending);
  }

  observe(effects: readonly Effect[]): void {
    for (const e of effects) {
      if (e.type === 'decision' && e.decision.verdict === 'pending_approval') {
        const p = this.#inFlight.get(e.decision.proposal_id);
        if (!p) continue;
        const expiresAtMs = Math.min(Date.parse(p.expires_at), e.atMs + this.approvalTtlMs);
        this.#pending.set(p.proposal_id, {
          proposal_id: p.proposal_id,
          decision_id: e.decision.decision_id,
          workload: p.workload,
          resource: p.resource,
          priority_class: p.priority_class,
          action: describeAction(p.action).slice(0, 2000),
          reason: e.decision.reason,
          decided_at: new Date(e.atMs).toISOString(),
          expires_at: new Date(expiresAtMs).toISOString(),
        });
      } else if (e.type === 'outcome' && e.fate !== 'decided') {
        this.#inFlight.delete(e.proposalId);
        this.#pending.delete(e.proposalId);
      } else if (e.type === 'decision' && e.decision.verdict !== 'pending_approval') {
        this.#pending.delete(e.decision.proposal_id);
        this.#inFlight.delete(e.decision.proposal_id);
      }
    }
  }

  list(workload: string | undefined, limit: number): PendingApproval[] {
    return [...this.#pending.values()]
      .filter((p) => !workload || p.workload === workload)
      .sort((a, b) => a.decided_at.localeCompare(b.decided_at))
      .slice(0, limit);
  }
}
