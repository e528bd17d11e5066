import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCharts, writeMissionCharts } from './mission-charts.js';
import type { MissionResult, SeriesPoint } from './mission-result.js';

const point = (tSec: number, replicas: Record<string, number>, slo: number | null): SeriesPoint => ({
  tSec,
  replicas,
  draining: 0,
  usdPerHour: 6.88 * Object.values(replicas).reduce((a, n) => a + n, 0),
  sloAttainment: 1,
  sloAttainmentInterval: slo,
  kvUsageMean: 0.5,
  waiting: 0,
});

describe('mission charts', () => {
  const points = [
    point(15, { 'a/on_demand': 1 }, 1),
    point(30, { 'a/on_demand': 1, 'b/spot': 2 }, null),
    point(45, { 'b/spot': 1 }, 0.9),
  ];

  it('draws one line per instance type and option, and skips intervals with no request judged', () => {
    const c = replayCharts('t', 'p', points, 0.95);
    expect(c.replicas!.series.map((s) => s.name)).toEqual(['a/on_demand', 'b/spot', 'draining']);
    expect(c.replicas!.series[1]!.points.map((p) => p[1])).toEqual([0, 2, 1]);
    expect(c.slo!.series[0]!.points.map((p) => p[1])).toEqual([100, 90]);
    expect(c.slo!.thresholds).toEqual([{ name: 'SLO target', value: 95 }]);
  });

  it('writes PNG files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mission-charts-'));
    try {
      const m: MissionResult = {
        seed: 1,
        short: true,
        traces: [
          {
            name: 't',
            file: 'f',
            rateScale: 1,
            requests: 1,
            excluded: 0,
            durationSec: 45,
            peakRatePerSec: 1,
            capacityPerSec: {},
            results: [],
            series: { p: points },
            wallSec: {},
          },
        ],
      };
      const files = await writeMissionCharts(m, dir, 0.95);
      expect(files.map((f) => f.slice(dir.length))).toEqual([
        '/charts/t/p-replicas.png',
        '/charts/t/p-cost.png',
        '/charts/t/p-slo.png',
        '/charts/t/p-kv.png',
      ]);
      const png = await readFile(files[0]!);
      expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // resvg renders 4 pictures: seconds on a loaded 2-core machine
  }, 60_000);
});
