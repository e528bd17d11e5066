import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderTimeSeriesPng, type ChartSeries, type TimeSeriesChart } from '../dashboards/index.js';
import type { MissionResult, SeriesPoint } from './mission-result.js';

/** Simulated second 0 on the charts' time axis: the fleet spec's default start. */
const START_MS = Date.parse('2026-01-01T00:00:00Z');

const line = (name: string, points: readonly SeriesPoint[], value: (p: SeriesPoint) => number | null): ChartSeries => ({
  name,
  points: points.flatMap((p) => {
    const v = value(p);
    return v === null ? [] : [[START_MS + p.tSec * 1000, v] as const];
  }),
});

/** The four charts of one replay: replicas by type and option, cost per hour, SLO attainment, KV usage. */
export function replayCharts(
  trace: string,
  policy: string,
  points: readonly SeriesPoint[],
  attainment: number
): Record<string, TimeSeriesChart> {
  const keys = [...new Set(points.flatMap((p) => Object.keys(p.replicas)))].sort();
  return {
    replicas: {
      title: `${trace} · ${policy}: replicas by instance type and purchase option`,
      series: [
        ...keys.map((k) => line(k, points, (p) => p.replicas[k] ?? 0)),
        line('draining', points, (p) => p.draining),
      ],
    },
    cost: {
      title: `${trace} · ${policy}: cost per hour`,
      yUnit: 'USD/h',
      series: [line('cost', points, (p) => p.usdPerHour)],
    },
    slo: {
      title: `${trace} · ${policy}: SLO attainment per interval`,
      yUnit: '%',
      series: [
        line('attainment', points, (p) => (p.sloAttainmentInterval === null ? null : 100 * p.sloAttainmentInterval)),
      ],
      thresholds: [{ name: 'SLO target', value: 100 * attainment }],
    },
    kv: {
      title: `${trace} · ${policy}: mean KV cache usage`,
      yUnit: '%',
      series: [line('KV usage', points, (p) => 100 * p.kvUsageMean)],
    },
  };
}

/** Writes `charts/<trace>/<policy>-<chart>.png` for every replay; returns the files. */
export async function writeMissionCharts(m: MissionResult, outDir: string, attainment: number): Promise<string[]> {
  const files: string[] = [];
  for (const t of m.traces) {
    const dir = join(outDir, 'charts', t.name);
    await mkdir(dir, { recursive: true });
    for (const [policy, points] of Object.entries(t.series)) {
      for (const [name, chart] of Object.entries(replayCharts(t.name, policy, points, attainment))) {
        const f = join(dir, `${policy}-${name}.png`);
        await writeFile(f, renderTimeSeriesPng(chart));
        files.push(f);
      }
    }
  }
  return files;
}
