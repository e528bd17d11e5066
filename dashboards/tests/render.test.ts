import { describe, expect, it } from 'vitest';
import { chartFontFiles, panelPng, renderTimeSeriesPng, timeSeriesSvg, DASHBOARDS } from '../index.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const T = Date.parse('2026-11-20T10:00:00Z');

/** Width and height from the IHDR chunk (bytes 16-23, big-endian). */
const size = (png: Buffer): [number, number] => [png.readUInt32BE(16), png.readUInt32BE(20)];

describe('dashboards render', () => {
  const chart = {
    title: 'TTFT p95',
    series: [
      {
        name: 'wa p95',
        points: [
          [T, 110],
          [T + 60_000, 165],
          [T + 120_000, 220],
        ] as [number, number][],
      },
      {
        name: 'wa SLO p95',
        points: [
          [T, 200],
          [T + 120_000, 200],
        ] as [number, number][],
      },
    ],
    thresholds: [{ name: 'goal', value: 250 }],
    yUnit: 'ms',
  };

  it('renders a time series as a 960 × 420 PNG', () => {
    const png = renderTimeSeriesPng(chart);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(size(png)).toEqual([960, 420]);
    // a blank canvas compresses to well under 2 kB; lines, axes and text do not
    expect(png.length).toBeGreaterThan(5_000);
  });

  it('draws each series, the reference line dashed, the threshold and the legend', () => {
    const svg = timeSeriesSvg(chart);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray="8 6"');
    expect(svg).toContain('goal: 250 ms');
    expect(svg).toContain('>wa SLO p95<');
    expect(svg).toContain('>10:00:00<');
  });

  it('extends the y axis to a round tick above the highest value', () => {
    const svg = timeSeriesSvg({
      title: 'quality',
      series: [
        {
          name: 'wa',
          points: [
            [T, 0.75],
            [T + 60_000, 0.9375],
          ],
        },
      ],
    });
    // ticks 0, 0.2, … 1: 0.9375 needs the 1 above it
    expect(svg).toContain('>1</text>');
    expect(svg).toContain('>0.8</text>');
  });

  it('finds a font for the text on this machine (fonts-dejavu-core)', () => {
    expect(chartFontFiles().length).toBeGreaterThan(0);
  });

  it('renders a bars panel and an empty table panel from rows', () => {
    const bars = DASHBOARDS.cost!.panels.find((p) => p.kind === 'bars')!;
    expect(size(panelPng(bars, [{ label: 'spot', value: 0.27 }]))).toEqual([960, 420]);
    const table = DASHBOARDS.system!.panels.find((p) => p.kind === 'table')!;
    expect(panelPng(table, []).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });
});
