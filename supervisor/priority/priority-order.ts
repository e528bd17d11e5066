import type { PriorityClass, Proposal } from '../../schemas/index.js';

/** Rank of each class, 0 highest (DESIGN.md: operator > quality > slo > resource > cost). */
export const PRIORITY_RANK = {
  operator: 0,
  quality: 1,
  slo: 2,
  resource: 3,
  cost: 4,
} as const satisfies Record<PriorityClass, number>;

/**
 * The size of a proposal's expected impact in its own class's unit: SLO share for quality and
 * slo, GPU GiB for resource, USD/month for cost and operator; falls back to |USD/month| when
 * the class's unit is absent. Only proposals of the same class are ever compared by it.
 */
export function impactMagnitude(p: Proposal): number {
  const i = p.expected_impact;
  const usd = Math.abs(i.usd_per_month);
  switch (p.priority_class) {
    case 'quality':
    case 'slo':
      return i.slo_attainment_delta !== undefined ? Math.abs(i.slo_attainment_delta) : usd;
    case 'resource':
      return i.gpu_memory_gib_delta !== undefined ? Math.abs(i.gpu_memory_gib_delta) : usd;
    default:
      return usd;
  }
}

/** Tie-break score: |expected impact| × confidence. */
export function tieScore(p: Proposal): number {
  return impactMagnitude(p) * p.confidence;
}

export interface Ranked {
  proposal: Proposal;
  receivedAtMs: number;
}

/** Orders proposals best first: class, then impact × confidence, then oldest, then id. */
export function compareProposals(a: Ranked, b: Ranked): number {
  return (
    PRIORITY_RANK[a.proposal.priority_class] - PRIORITY_RANK[b.proposal.priority_class] ||
    tieScore(b.proposal) - tieScore(a.proposal) ||
    a.receivedAtMs - b.receivedAtMs ||
    (a.proposal.proposal_id < b.proposal.proposal_id ? -1 : a.proposal.proposal_id > b.proposal.proposal_id ? 1 : 0)
  );
}

/** The rule that made `winner` beat `loser`, in words for reasons and audit rows. */
export function ruleBetween(winner: Ranked, loser: Ranked): string {
  const w = winner.proposal;
  const l = loser.proposal;
  if (w.priority_class !== l.priority_class) return `priority ${w.priority_class} > ${l.priority_class}`;
  const sw = tieScore(w);
  const sl = tieScore(l);
  if (sw !== sl) return `tie on ${w.priority_class}: impact × confidence ${fmt(sw)} > ${fmt(sl)}`;
  if (winner.receivedAtMs !== loser.receivedAtMs) return `tie on ${w.priority_class} and impact: oldest first`;
  return `tie on ${w.priority_class}, impact and age: lowest proposal id`;
}

function fmt(n: number): string {
  return Number(n.toPrecision(4)).toString();
}
