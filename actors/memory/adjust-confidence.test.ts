import { describe, expect, it } from 'vitest';
import type { Candidate, SimilarCase } from '../agent/analysis.js';
import { adjustConfidence, realisedShare } from './index.js';

const candidate: Candidate = {
  strategy: 'cost.spot-migration',
  action: { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
  rollback: { kind: 'change_purchase_option', from: 'spot', to: 'on_demand' },
  expectedImpact: { usd_per_month: -3000 },
  confidence: 0.8,
  risk: 'medium',
  evidence: [{ metric: 'usd_per_hour', value: 12 }],
  verifyWindowS: 3600,
  summary: 'Move to spot.',
};

const past = (similarity: number, predicted: number, measured: number, kept = true): SimilarCase => ({
  similarity,
  action: candidate.action,
  predictedUsdPerMonth: predicted,
  measuredUsdPerMonth: measured,
  kept,
});

describe('actors memory adjustConfidence', () => {
  it('lowers confidence when similar past cases delivered half their prediction, and says so', () => {
    // two cases at similarity 0.5 each, realised 0.5: weight 1 ⇒ w = 1 / (1 + 1) = 0.5;
    // target = 0.8 × 0.5 = 0.4; confidence = 0.5 × 0.8 + 0.5 × 0.4 = 0.6
    const out = adjustConfidence(candidate, [past(0.5, -3000, -1500), past(0.5, -2000, -1000)]);
    expect(out.confidence).toBe(0.6);
    expect(out.evidence).toHaveLength(2);
    expect(out.evidence[1]).toMatchObject({ metric: 'similar past cases: realised share of prediction', value: 0.5 });
    expect(out.evidence[1]!.note).toContain('2 similar change_purchase_option case(s), 2 kept');
    expect(out.evidence[1]!.note).toContain('confidence 0.8 → 0.6');
    expect(candidate.confidence).toBe(0.8);
  });

  it('counts a rolled-back case as nothing delivered and caps an over-delivery at 1.5', () => {
    expect(realisedShare(past(1, -1000, -5000))).toBe(1.5);
    expect(realisedShare(past(1, -1000, -900, false))).toBe(0);
    expect(realisedShare(past(1, 0, 0))).toBe(1);
    // one identical case, rolled back: w = 0.5, target 0 ⇒ 0.4
    expect(adjustConfidence(candidate, [past(1, -3000, -3000, false)]).confidence).toBe(0.4);
    // an over-delivering case raises confidence: target min(1, 0.8 × 1.5) = 1 ⇒ 0.5 × 0.8 + 0.5 × 1
    expect(adjustConfidence(candidate, [past(1, -1000, -5000)]).confidence).toBe(0.9);
  });

  it('ignores cases of another action kind', () => {
    const other: SimilarCase = { ...past(1, -1, -1), action: { kind: 'scale_replicas', from: 2, to: 3 } };
    expect(adjustConfidence(candidate, [other])).toBe(candidate);
  });
});
