import type { BarChart, ChartSeries, StatChart, TableChart, TimeSeriesChart } from './chart-types.js';

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 420;
const FONT = 'DejaVu Sans';
const PALETTE = ['#3274d9', '#e0752d', '#56a64b', '#a352cc', '#c4162a', '#37872d', '#8ab8ff', '#f2cc0c'];
const PLOT = { left: 80, right: 220, top: 64, bottom: 50 };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A number as a person reads it on an axis: 3 significant digits, k/M suffixes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a === 0) return '0';
  return String(+v.toPrecision(3));
}

/** Round axis steps (1, 2, 5 × 10ⁿ) covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  // the last tick at or above `hi`, so the top line stays inside the plot
  for (let t = Math.floor(lo / step) * step; ; t += step) {
    out.push(+t.toPrecision(12));
    if (t >= hi - step * 1e-9) return out;
  }
}

function frame(title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" ` +
    `viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="20" y="30" font-size="18" font-weight="bold" fill="#222">${esc(title)}</text>${body}</svg>`
  );
}

const isReference = (name: string): boolean => /SLO|baseline/.test(name);

/** Lines over a time axis, with a legend, dashed reference series and optional threshold lines. */
export function timeSeriesSvg(chart: TimeSeriesChart): string {
  const series: ChartSeries[] = chart.series.filter((s) => s.points.length > 0);
  const thresholds = chart.thresholds ?? [];
  const ts = series.flatMap((s) => s.points.map((p) => p[0]));
  const vs = [...series.flatMap((s) => s.points.map((p) => p[1])), ...thresholds.map((t) => t.value)];
  const w = CHART_WIDTH - PLOT.left - PLOT.right;
  const h = CHART_HEIGHT - PLOT.top - PLOT.bottom;
  if (ts.length === 0) {
    return frame(
      chart.title,
      `<text x="${CHART_WIDTH / 2}" y="${CHART_HEIGHT / 2}" font-size="16" fill="#888" text-anchor="middle">No data</text>`
    );
  }
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts) > t0 ? Math.max(...ts) : t0 + 60_000;
  const yTicks = ticks(Math.min(0, ...vs), Math.max(...vs));
  const y0 = yTicks[0]!;
  const y1 = yTicks.at(-1)! > y0 ? yTicks.at(-1)! : y0 + 1;
  const x = (t: number): number => PLOT.left + ((t - t0) / (t1 - t0)) * w;
  const y = (v: number): number => PLOT.top + h - ((v - y0) / (y1 - y0)) * h;
  const unit = chart.yUnit ? ` ${chart.yUnit}` : '';
  const parts: string[] = [];
  for (const v of yTicks) {
    parts.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${PLOT.left - 8}" y="${y(v) + 4}" font-size="12" fill="#555" text-anchor="end">${esc(formatNumber(v))}</text>`
    );
  }
  const spanMs = t1 - t0;
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (spanMs * i) / 4;
    const iso = new Date(t).toISOString();
    const label = spanMs > 2 * 86_400_000 ? iso.slice(5, 16).replace('T', ' ') : iso.slice(11, 19);
    parts.push(
      `<text x="${x(t)}" y="${PLOT.top + h + 20}" font-size="12" fill="#555" text-anchor="middle">${label}</text>`
    );
  }
  parts.push(
    `<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.top + h}" stroke="#888"/>`,
    `<line x1="${PLOT.left}" x2="${PLOT.left + w}" y1="${PLOT.top + h}" y2="${PLOT.top + h}" stroke="#888"/>`,
    `<text x="20" y="${PLOT.top - 10}" font-size="12" fill="#555">${esc(chart.yUnit ?? '')}</text>`,
    `<text x="${PLOT.left + w}" y="${CHART_HEIGHT - 10}" font-size="11" fill="#888" text-anchor="end">UTC</text>`
  );
  const legend: string[] = [];
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const dash = isReference(s.name) ? ' stroke-dasharray="8 6"' : '';
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    if (s.points.length === 1)
      parts.push(`<circle cx="${x(s.points[0]![0])}" cy="${y(s.points[0]![1])}" r="3" fill="${color}"/>`);
    legend.push(legendItem(legend.length, color, s.name, dash));
  });
  thresholds.forEach((t) => {
    parts.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + w}" y1="${y(t.value)}" y2="${y(t.value)}" stroke="#c4162a" stroke-width="2" stroke-dasharray="4 4"/>`
    );
    legend.push(
      legendItem(legend.length, '#c4162a', `${t.name}: ${formatNumber(t.value)}${unit}`, ' stroke-dasharray="4 4"')
    );
  });
  return frame(chart.title, parts.join('') + legend.join(''));
}

function legendItem(i: number, color: string, name: string, dash: string): string {
  const lx = CHART_WIDTH - PLOT.right + 16;
  const ly = PLOT.top + 8 + i * 20;
  const label = name.length > 26 ? `${name.slice(0, 25)}…` : name;
  return (
    `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"${dash}/>` +
    `<text x="${lx + 28}" y="${ly + 4}" font-size="12" fill="#333">${esc(label)}</text>`
  );
}

/** Horizontal bars, one per label, with the value at the end of each. */
export function barsSvg(chart: BarChart): string {
  const bars = chart.bars.slice(0, 14);
  if (bars.length === 0) return timeSeriesSvg({ title: chart.title, series: [] });
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const left = 240;
  const w = CHART_WIDTH - left - 120;
  const rowH = Math.min(40, (CHART_HEIGHT - 70) / bars.length);
  const unit = chart.yUnit ? ` ${chart.yUnit}` : '';
  const parts = bars.map((b, i) => {
    const y = 55 + i * rowH;
    const len = Math.max(0, (b.value / max) * w);
    return (
      `<text x="${left - 10}" y="${y + rowH * 0.6}" font-size="13" fill="#333" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${left}" y="${y + 4}" width="${len.toFixed(1)}" height="${(rowH - 8).toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"/>` +
      `<text x="${left + len + 8}" y="${y + rowH * 0.6}" font-size="13" fill="#333">${esc(formatNumber(b.value) + unit)}</text>`
    );
  });
  return frame(chart.title, parts.join(''));
}

/** One big number. */
export function statSvg(chart: StatChart): string {
  const text = chart.value === null ? 'No data' : formatNumber(chart.value) + (chart.yUnit ? ` ${chart.yUnit}` : '');
  return frame(
    chart.title,
    `<text x="${CHART_WIDTH / 2}" y="${CHART_HEIGHT / 2 + 30}" font-size="72" font-weight="bold" fill="#3274d9" text-anchor="middle">${esc(text)}</text>`
  );
}

/** A plain table: header row, then up to 12 rows; long cells are cut. */
export function tableSvg(chart: TableChart): string {
  const cols = chart.columns.length || 1;
  const colW = (CHART_WIDTH - 40) / cols;
  const maxChars = Math.max(4, Math.floor(colW / 7.5));
  const cut = (s: string): string => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
  const cell = (s: string, c: number, y: number, bold: boolean): string =>
    `<text x="${20 + c * colW}" y="${y}" font-size="12"${bold ? ' font-weight="bold"' : ''} fill="#333">${esc(cut(s))}</text>`;
  const parts = chart.columns.map((c, i) => cell(c, i, 65, true));
  parts.push(`<line x1="20" x2="${CHART_WIDTH - 20}" y1="73" y2="73" stroke="#888"/>`);
  chart.rows.slice(0, 12).forEach((r, k) => r.forEach((v, i) => parts.push(cell(v, i, 95 + k * 24, false))));
  if (chart.rows.length === 0) parts.push(cell('No rows in the range', 0, 95, false));
  return frame(chart.title, parts.join(''));
}
