import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MissionResult, PolicyResult } from './mission-result.js';

const usd = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n.toFixed(2));
const pct = (n: number): string => `${(100 * n).toFixed(1)}`;
const sec = (n: number | null): string =>
  n === null ? '–' : n < 1 ? `${(n * 1000).toFixed(0)} ms` : `${n.toFixed(2)} s`;

function row(r: PolicyResult): string {
  const s = r.savingsBySource;
  const saved =
    r.savingsVsStaticPeakUsd === null
      ? '–'
      : `${usd(r.savingsVsStaticPeakUsd)} (${pct(r.savingsVsStaticPeakUsd / Math.max(1e-9, r.savingsVsStaticPeakUsd + r.costUsd))} %)`;
  return `| ${[
    r.policy,
    usd(r.costUsd),
    saved,
    usd(s?.capacityTiming),
    usd(s?.purchaseOption),
    usd(s?.gpuType),
    usd(s?.engineTuning),
    usd(s?.other),
    pct(r.sloAttainment),
    sec(r.ttftP50Sec),
    sec(r.ttftP99Sec),
    sec(r.tpotP99Sec),
    r.preemptions,
    r.spotInterruptions,
    r.decisions,
    r.conflicts,
    r.rollbacks,
    `${r.requestsJudged}/${r.requests}`,
  ].join(' | ')} |`;
}

/** The scorecard as markdown: one table per trace, savings against static-peak by source. */
export function missionMarkdown(m: MissionResult): string {
  const lines = [
    `# Mission scorecard${m.short ? ' (short)' : ''}`,
    '',
    `Seed ${m.seed}. Costs in USD over the replay.`,
    '',
  ];
  for (const t of m.traces) {
    lines.push(
      `## ${t.name}`,
      '',
      `\`${t.file}\` × ${t.rateScale} rate: ${t.requests} requests over ${t.durationSec.toFixed(0)} s` +
        `${t.excluded ? ` (${t.excluded} longer than max-model-len left out)` : ''}, peak ${t.peakRatePerSec.toFixed(2)} req/s. ` +
        `Capacity per replica at the SLO (req/s): ${Object.entries(t.capacityPerSec)
          .map(([g, c]) => `${g} ${c.toFixed(2)}`)
          .join(', ')}.`,
      '',
      '| policy | cost | saved vs static-peak | timing | purchase | GPU type | tuning | other | SLO % | TTFT p50 | TTFT p99 | TPOT p99 | preemptions | spot interruptions | decisions | conflicts | rollbacks | requests |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      ...t.results.map(row),
      ''
    );
  }
  return lines.join('\n');
}

/**
 * Writes `results.json` (every figure and series), `report.md`, and `series/<trace>/<policy>.json`
 * (per-interval replicas by type and option, $/h, SLO attainment, KV usage: what the charts draw).
 */
export async function writeMissionReport(m: MissionResult, outDir: string): Promise<string[]> {
  const files = [join(outDir, 'results.json'), join(outDir, 'report.md')];
  await mkdir(outDir, { recursive: true });
  await writeFile(files[0]!, `${JSON.stringify(m, null, 2)}\n`);
  await writeFile(files[1]!, missionMarkdown(m));
  for (const t of m.traces) {
    const dir = join(outDir, 'series', t.name);
    await mkdir(dir, { recursive: true });
    for (const [policy, points] of Object.entries(t.series)) {
      const f = join(dir, `${policy}.json`);
      await writeFile(f, `${JSON.stringify(points)}\n`);
      files.push(f);
    }
  }
  return files;
}
