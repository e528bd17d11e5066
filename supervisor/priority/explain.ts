import type { Verdict } from '../../schemas/index.js';
import type { GuardrailState } from '../guardrails/index.js';
import { describeAction } from './conflicts.js';
import type { AuditRow, Competitor, Fate } from './effects.js';

/** Why a proposal ended as it did, rebuilt from audit rows alone. */
export interface Explanation {
  proposal_id: string;
  workload: string;
  agent?: string;
  priority_class?: string;
  action?: string;
  fate: Fate | 'pending';
  verdict?: Verdict;
  /** The rule that settled it (priority order, constraint, guardrail, mode, approval, expiry). */
  rule: string;
  /** The proposal that beat or replaced this one, if any. */
  beatenBy?: string;
  competitors: Competitor[];
  guardrail?: { name: string; reason: string; state?: GuardrailState };
  approvals: { by: string; at: string }[];
  riskDisagreement?: string;
  steps: string[];
  text: string;
}

/** Rebuilds why `proposalId` ended as it did from `rows` (any order, any mix of proposals). */
export function explain(rows: readonly AuditRow[], proposalId: string): Explanation {
  const mine = rows.filter((r) => r.proposal_id === proposalId).sort((a, b) => a.seq - b.seq);
  const first = mine[0];
  if (!first) throw new RangeError(`explain: no audit rows for proposal ${proposalId}`);
  const p = mine.find((r) => r.proposal)?.proposal;
  const settling = [...mine].reverse().find((r) => r.kind !== 'approval' && r.kind !== 'completion') ?? first;
  const fate = [...mine].reverse().find((r) => r.fate)?.fate ?? 'pending';
  const verdict = [...mine].reverse().find((r) => r.verdict)?.verdict;
  const competitors = [...mine].reverse().find((r) => r.competitors)?.competitors ?? [];
  const won = competitors.find((c) => c.outcome === 'won' && c.proposal_id !== proposalId)?.proposal_id;
  const beatenBy = settling.preempted_by ?? (fate === 'decided' ? undefined : won);
  const stop = [...mine].reverse().find((r) => r.guardrail);
  const approvals = mine.filter((r) => r.kind === 'approval').map((r) => ({ by: r.actor, at: r.at }));
  const disagreement = [...mine].reverse().find((r) => r.risk?.disagreement)?.risk?.disagreement;
  const steps = mine.map((r) => `${r.at} ${r.kind}${r.verdict ? ` (${r.verdict})` : ''} by ${r.actor}: ${r.reason}`);

  const who = p ? `${proposalId} (${p.agent}, ${p.priority_class}: ${describeAction(p.action)})` : proposalId;
  const parts = [`${who} ended ${fate}${verdict ? ` with verdict ${verdict}` : ''} under rule "${settling.rule}".`];
  if (beatenBy) parts.push(`It gave way to ${beatenBy}.`);
  const others = competitors.filter((c) => c.proposal_id !== proposalId);
  if (others.length) {
    parts.push(
      `Competing: ${others.map((c) => `${c.proposal_id} (${c.priority_class}, ${c.action}) ${c.outcome}`).join('; ')}.`
    );
  }
  if (stop?.guardrail) parts.push(`Guardrail ${stop.guardrail}: ${stop.reason}.`);
  if (approvals.length) parts.push(`Approved by ${approvals.map((a) => `${a.by} at ${a.at}`).join(', ')}.`);
  if (disagreement) parts.push(`Risk: ${disagreement}.`);
  const joint = [...mine].reverse().find((r) => r.joint)?.joint;
  if (joint) parts.push(`${joint[0]?.toUpperCase() ?? ''}${joint.slice(1)}.`);

  return {
    proposal_id: proposalId,
    workload: first.workload,
    ...(p ? { agent: p.agent, priority_class: p.priority_class, action: describeAction(p.action) } : {}),
    fate,
    ...(verdict ? { verdict } : {}),
    rule: settling.rule,
    ...(beatenBy ? { beatenBy } : {}),
    competitors,
    ...(stop?.guardrail
      ? {
          guardrail: {
            name: stop.guardrail,
            reason: stop.reason,
            ...(stop.guardrails ? { state: stop.guardrails } : {}),
          },
        }
      : {}),
    approvals,
    ...(disagreement ? { riskDisagreement: disagreement } : {}),
    steps,
    text: parts.join(' '),
  };
}
