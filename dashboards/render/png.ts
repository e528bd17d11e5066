import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { BarChart, StatChart, TableChart, TimeSeriesChart } from './chart-types.js';
import { barsSvg, statSvg, tableSvg, timeSeriesSvg } from './svg-chart.js';

/**
 * Fonts resvg may use for text: DejaVu Sans from Debian's `fonts-dejavu-core`, else Liberation
 * or Noto Sans. When none is present resvg falls back to the system fonts it finds, and without
 * any font text is left out of the picture but shapes still render.
 */
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
];

let fontFiles: string[] | undefined;
/** The font files found on this machine (possibly none). */
export function chartFontFiles(): string[] {
  fontFiles ??= FONT_FILES.filter((f) => existsSync(f));
  return fontFiles;
}

/** SVG text to PNG bytes through resvg. */
export function svgToPng(svg: string): Buffer {
  const files = chartFontFiles();
  const resvg = new Resvg(svg, {
    font: {
      fontFiles: files,
      loadSystemFonts: files.length === 0,
      defaultFontFamily: files.some((f) => f.includes('DejaVu')) ? 'DejaVu Sans' : '',
    },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}

/** A time-series chart as PNG: lines with axes, legend, title and optional threshold lines. */
export function renderTimeSeriesPng(chart: TimeSeriesChart): Buffer {
  return svgToPng(timeSeriesSvg(chart));
}

export function renderBarsPng(chart: BarChart): Buffer {
  return svgToPng(barsSvg(chart));
}

export function renderStatPng(chart: StatChart): Buffer {
  return svgToPng(statSvg(chart));
}

export function renderTablePng(chart: TableChart): Buffer {
  return svgToPng(tableSvg(chart));
}
