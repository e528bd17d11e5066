import type { EvidenceItem, Proposal, Verdict } from '../../schemas/index.js';
import type { Observation } from './analysis.js';

/** The few numbers an outcome is judged on, taken over the latest intervals. */
export interface Digest {
  ts: number;
  replicasUp: number;
  usdPerHour: number;
  /** Worst node p95 over the digest's intervals; null without finished requests. */
  ttftP95Ms: number | null;
  itlP95Ms: number | null;
  preemptionsPerMin: number;
  waiting: number;
  kvUsageMax: number;
  requestsPerS: number;
  /** The workload's TTFT p95 target, when it has one. */
  ttftSloMs: number | null;
}

/** Intervals a digest averages over: long enough to smooth one noisy interval. */
export const DIGEST_INTERVALS = 3;

export function digestOf(obs: Observation): Digest {
  const pts = obs.history.slice(-DIGEST_INTERVALS);
  const n = Math.max(1, pts.length);
  const spanMin = pts.length >= 2 ? Math.max(1e-9, (pts.at(-1)!.ts - pts[0]!.ts) / 60_000) : 0;
  const worst = (xs: Array<number | null>): number | null =>
    xs.reduce<number | null>((a, x) => (x === null ? a : a === null ? x : Math.max(a, x)), null);
  return {
    ts: obs.now,
    replicasUp: pts.at(-1)?.replicasUp ?? 0,
    usdPerHour: pts.reduce((a, p) => a + p.usdPerHour, 0) / n,
    ttftP95Ms: worst(pts.map((p) => p.ttftP95Ms)),
    itlP95Ms: worst(pts.map((p) => p.itlP95Ms)),
    preemptionsPerMin: spanMin ? pts.slice(1).reduce((a, p) => a + p.preemptions, 0) / spanMin : 0,
    waiting: pts.reduce((a, p) => a + p.waiting, 0) / n,
    kvUsageMax: Math.max(0, ...pts.map((p) => p.kvUsageMax)),
    requestsPerS: pts.reduce((a, p) => a + p.requestsPerS, 0) / n,
    ttftSloMs: obs.spec.slo.ttft_p95_ms ?? null,
  };
}

export type Outcome = 'kept' | 'rolled_back' | 'rejected' | 'expired';

export interface OutcomeJudgement {
  outcome: Outcome;
  reason: string;
  measuredUsdPerMonth: number;
  evidence: EvidenceItem[];
}

/** Hours in a month for $/month figures (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** A p95 TTFT this much worse than before counts as a regression even under the SLO. */
export const TTFT_REGRESSION_RATIO = 1.5;

/**
 * Kept or rolled back: a change regresses when it breaks the TTFT SLO it met before, makes
 * TTFT p95 1.5× worse, or brings preemptions where there were almost none — whatever it saved.
 */
export function judgeOutcome(
  p: Proposal,
  before: Digest,
  after: Digest,
  verdict: Verdict | undefined,
  now: number
): OutcomeJudgement {
  const measuredUsdPerMonth = (after.usdPerHour - before.usdPerHour) * HOURS_PER_MONTH;
  const evidence: EvidenceItem[] = [
    { metric: 'usd_per_hour before', value: before.usdPerHour, unit: 'USD/h' },
    { metric: 'usd_per_hour after', value: after.usdPerHour, unit: 'USD/h' },
  ];
  if (verdict === undefined) {
    return {
      outcome: now >= Date.parse(p.expires_at) ? 'expired' : 'rejected',
      reason: 'no decision before the proposal expired',
      measuredUsdPerMonth: 0,
      evidence,
    };
  }
  if (verdict !== 'approved') {
    return { outcome: 'rejected', reason: `supervisor verdict ${verdict}`, measuredUsdPerMonth: 0, evidence };
  }
  if (before.ttftP95Ms !== null && after.ttftP95Ms !== null) {
    evidence.push(
      { metric: 'ttft p95 before', value: before.ttftP95Ms, unit: 'ms' },
      { metric: 'ttft p95 after', value: after.ttftP95Ms, unit: 'ms' }
    );
    const slo = after.ttftSloMs;
    if (slo !== null && before.ttftP95Ms <= slo && after.ttftP95Ms > slo) {
      return {
        outcome: 'rolled_back',
        reason: `TTFT p95 ${Math.round(after.ttftP95Ms)} ms broke the ${slo} ms SLO it met before (${Math.round(before.ttftP95Ms)} ms)`,
        measuredUsdPerMonth,
        evidence,
      };
    }
    if (after.ttftP95Ms > before.ttftP95Ms * TTFT_REGRESSION_RATIO && after.ttftP95Ms - before.ttftP95Ms > 50) {
      return {
        outcome: 'rolled_back',
        reason: `TTFT p95 rose ${Math.round(before.ttftP95Ms)} → ${Math.round(after.ttftP95Ms)} ms`,
        measuredUsdPerMonth,
        evidence,
      };
    }
  }
  evidence.push(
    { metric: 'preemptions per min before', value: before.preemptionsPerMin },
    { metric: 'preemptions per min after', value: after.preemptionsPerMin }
  );
  if (after.preemptionsPerMin > Math.max(1, before.preemptionsPerMin * 2)) {
    return {
      outcome: 'rolled_back',
      reason: `preemptions rose ${before.preemptionsPerMin.toFixed(1)} → ${after.preemptionsPerMin.toFixed(1)} per minute`,
      measuredUsdPerMonth,
      evidence,
    };
  }
  return { outcome: 'kept', reason: 'no regression over the verify window', measuredUsdPerMonth, evidence };
}
