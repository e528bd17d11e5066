import type { Candidate, Observation } from '../agent/analysis.js';
import type { ApplicationConfig } from './application-config.js';
import { appRows, type AppRow } from './app-rows.js';
import { welchLower } from './welch-test.js';

/** The workload's quality per telemetry window: scores averaged over request types, weighted by scored requests. */
export function qualityWindows(rows: readonly AppRow[]): Array<{ ts: number; score: number }> {
  const by = new Map<number, { sum: number; n: number }>();
  for (const r of rows) {
    if (r.quality === null) continue;
    const n = r.qualityScored ?? r.requests;
    if (n <= 0) continue;
    const acc = by.get(r.ts) ?? { sum: 0, n: 0 };
    acc.sum += r.quality * n;
    acc.n += n;
    by.set(r.ts, acc);
  }
  return [...by].sort(([a], [b]) => a - b).map(([ts, { sum, n }]) => ({ ts, score: sum / n }));
}

export function qualityThreshold(obs: Observation, cfg: ApplicationConfig): number {
  const label = Number(obs.spec.labels['quality-drop-threshold']);
  if (Number.isFinite(label) && label > 0 && label < 1) return label;
  return cfg.qualityDropThresholdByWorkload[obs.workload] ?? cfg.qualityDropThreshold;
}

/**
 * After the last applied change: the baseline is the quality of the windows before it (up to
 * `qualityBaselineWindows`), the comparison the windows since. A one-sided Welch's t-test says
 * whether quality fell; a fall beyond the workload's threshold (relative, default 5%) at the
 * test's level proposes undoing the change, at the top priority (`quality`).
 */
export function qualityRegressionCandidate(obs: Observation, cfg: ApplicationConfig): Candidate | undefined {
  const change = obs.appliedChanges?.at(-1);
  if (!change) return undefined;
  // the whole history the agent kept, not just the window: the baseline precedes the change
  const windows = qualityWindows(appRows(obs, { sinceMs: -Infinity }));
  const before = windows.filter((w) => w.ts < change.ts).slice(-cfg.qualityBaselineWindows);
  const after = windows.filter((w) => w.ts >= change.ts);
  if (before.length < cfg.qualityMinWindows || after.length < cfg.qualityMinWindows) return undefined;
  const r = welchLower(
    before.map((w) => w.score),
    after.map((w) => w.score)
  );
  const drop = r.meanBefore > 0 ? (r.meanBefore - r.meanAfter) / r.meanBefore : 0;
  const threshold = qualityThreshold(obs, cfg);
  if (!(drop > threshold && r.pLower < cfg.qualityAlpha)) return undefined;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return {
    strategy: 'application.quality-regression',
    action: change.rollback,
    rollback: change.action,
    expectedImpact: { usd_per_month: 0 },
    confidence: Math.min(0.99, Math.max(0.5, 1 - r.pLower)),
    risk: 'low',
    evidence: [
      {
        metric: 'quality score baseline (mean of windows before the change)',
        value: round4(r.meanBefore),
        note: `${before.length} windows`,
      },
      { metric: 'quality score since the change', value: round4(r.meanAfter), note: `${after.length} windows` },
      { metric: 'relative quality drop', value: round4(drop), unit: 'ratio', note: `threshold ${threshold}` },
      { metric: "Welch's t (after − before)", value: round4(r.t), note: `df ${r.df.toFixed(1)}` },
      { metric: 'one-sided p-value', value: r.pLower, note: `level ${cfg.qualityAlpha}` },
    ],
    verifyWindowS: cfg.verifyWindowS,
    summary:
      `Quality fell ${pct(drop)} (${r.meanBefore.toFixed(3)} → ${r.meanAfter.toFixed(3)}, p = ${r.pLower.toPrecision(2)}) ` +
      `after change ${change.proposalId} (${change.action.kind}); roll it back.`,
    priorityClass: 'quality',
  };
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
