import type { FleetPoint, Observation } from '../../agent/analysis.js';
import { percentile } from './stats.js';

/**
 * SLO monitoring: each target of the workload against the window's per-interval worst-node
 * quantiles. Attainment is the share of intervals whose p95 met every target — a proxy: the
 * telemetry carries quantiles, not per-request outcomes.
 */
export interface SloMetricStatus {
  metric: 'ttft_p95_ms' | 'itl_p95_ms' | 'e2e_p95_ms';
  targetMs: number;
  /** Median of the interval p95s over the window. */
  p95Ms: number;
  /** 99th percentile of the interval p95s (the window's worst). */
  p99Ms: number;
  /** Newest interval's value. */
  latestMs: number;
}

export interface SloStatus {
  metrics: SloMetricStatus[];
  attainment: number;
  intervals: number;
}

const pick: Record<SloMetricStatus['metric'], (p: FleetPoint) => number | null> = {
  ttft_p95_ms: (p) => p.ttftP95Ms,
  itl_p95_ms: (p) => p.itlP95Ms,
  e2e_p95_ms: (p) => p.e2eP95Ms,
};

export function sloStatus(obs: Observation, points: readonly FleetPoint[]): SloStatus {
  const targets: Array<[SloMetricStatus['metric'], number | undefined]> = [
    ['ttft_p95_ms', obs.spec.slo.ttft_p95_ms],
    // the ITL target is the TPOT mean; checking p95 against it errs on the safe side
    ['itl_p95_ms', obs.spec.slo.tpot_mean_ms],
    ['e2e_p95_ms', obs.spec.slo.e2e_p95_ms],
  ];
  const metrics: SloMetricStatus[] = [];
  for (const [metric, target] of targets) {
    if (target === undefined) continue;
    const v = points.map(pick[metric]).filter((x): x is number => x !== null);
    if (v.length === 0) continue;
    metrics.push({
      metric,
      targetMs: target,
      p95Ms: percentile(v, 0.5),
      p99Ms: percentile(v, 0.99),
      latestMs: v.at(-1)!,
    });
  }
  const judged = points.filter((p) => metrics.some((m) => pick[m.metric](p) !== null));
  const met = judged.filter((p) =>
    metrics.every((m) => {
      const v = pick[m.metric](p);
      return v === null || v <= m.targetMs;
    })
  );
  return { metrics, attainment: judged.length ? met.length / judged.length : 1, intervals: judged.length };
}
