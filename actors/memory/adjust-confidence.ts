import type { Candidate, SimilarCase } from '../agent/analysis.js';

/** Per-case realised share of the prediction is clipped to this, so one lucky outcome cannot inflate confidence. */
export const MAX_REALISED = 1.5;
/** Weight of the analyzer's own confidence, in similarity units: k perfect matches outweigh it k to 1. */
export const PRIOR_WEIGHT = 1;

/**
 * How much of its prediction a past case delivered: measured ÷ predicted USD/month when the
 * prediction had money in it (clipped to [0, 1.5]); for money-neutral actions, 1 if it was kept;
 * 0 for a rolled-back case whatever it measured.
 */
export function realisedShare(c: SimilarCase): number {
  if (!c.kept) return 0;
  if (Math.abs(c.predictedUsdPerMonth) < 1e-9) return 1;
  return Math.min(MAX_REALISED, Math.max(0, c.measuredUsdPerMonth / c.predictedUsdPerMonth));
}

/**
 * Shifts a candidate's confidence by what similar past cases of the same action kind delivered:
 * target = confidence × similarity-weighted realised share, blended with the analyzer's own
 * confidence by weight Σ similarity ÷ (Σ similarity + 1). Adds an evidence item saying so. Cases of
 * other action kinds are ignored; with none left the candidate comes back unchanged.
 */
export function adjustConfidence(candidate: Candidate, cases: readonly SimilarCase[]): Candidate {
  const same = cases.filter((c) => c.action.kind === candidate.action.kind && c.similarity > 0);
  if (same.length === 0) return candidate;
  const weight = same.reduce((a, c) => a + c.similarity, 0);
  const realised = same.reduce((a, c) => a + c.similarity * realisedShare(c), 0) / weight;
  const w = weight / (weight + PRIOR_WEIGHT);
  const target = Math.min(1, candidate.confidence * realised);
  const confidence = Math.round(Math.min(1, Math.max(0, (1 - w) * candidate.confidence + w * target)) * 1000) / 1000;
  const kept = same.filter((c) => c.kept).length;
  return {
    ...candidate,
    confidence,
    evidence: [
      ...candidate.evidence,
      {
        metric: 'similar past cases: realised share of prediction',
        value: Math.round(realised * 1000) / 1000,
        unit: 'ratio',
        note:
          `${same.length} similar ${candidate.action.kind} case(s), ${kept} kept, similarity ` +
          `${same.map((c) => c.similarity.toFixed(2)).join('/')}; confidence ${candidate.confidence} → ${confidence}`,
      },
    ],
  };
}
