import type { ClickHouse } from '../../stores/index.js';
import { expandMacros, type QueryContext } from '../src/expand-macros.js';
import type { PanelSpec } from '../src/panel-spec.js';
import type { ChartSeries } from './chart-types.js';
import { renderBarsPng, renderStatPng, renderTablePng, renderTimeSeriesPng } from './png.js';

export type PanelRow = Record<string, unknown>;

/** Runs a panel's own SQL, macros expanded for `ctx`, and returns its rows (JSONEachRow). */
export async function queryPanel(ch: ClickHouse, panel: PanelSpec, ctx: QueryContext): Promise<PanelRow[]> {
  return ch.query<PanelRow>(expandMacros(panel.sql, ctx));
}

/** A ClickHouse DateTime as returned (ISO with Z, or `YYYY-MM-DD hh:mm:ss` in UTC) in ms. */
export function timeMs(v: unknown): number {
  const s = String(v);
  return Date.parse(/[TZ]/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

/** Long rows `(time, series, value)` → one series per name, points in time order; nulls left out. */
export function toSeries(rows: readonly PanelRow[]): ChartSeries[] {
  const by = new Map<string, [number, number][]>();
  for (const r of rows) {
    const v = num(r.value);
    if (v === null || !Number.isFinite(v)) continue;
    const name = String(r.series);
    const list = by.get(name) ?? [];
    list.push([timeMs(r.time), v]);
    by.set(name, list);
  }
  return [...by].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

/** Grafana unit → what the picture prints, and the factor a value is scaled by. */
function unitOf(unit: string | undefined): { label: string; scale: number } {
  switch (unit) {
    case 'currencyUSD':
      return { label: 'USD', scale: 1 };
    case 'percentunit':
      return { label: '%', scale: 100 };
    case 'percent':
      return { label: '%', scale: 1 };
    case 'watt':
      return { label: 'W', scale: 1 };
    case 'gbytes':
      return { label: 'GiB', scale: 1 };
    case undefined:
      return { label: '', scale: 1 };
    default:
      return { label: unit, scale: 1 };
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  // ISO times as `MM-DD hh:mm:ss` (UTC): the year and milliseconds only cost width
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(v) ? `${v.slice(5, 10)} ${v.slice(11, 19)}` : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** The PNG of one panel from its rows, drawn the way its kind says (see PanelKind). */
export function panelPng(panel: PanelSpec, rows: readonly PanelRow[]): Buffer {
  const { label, scale } = unitOf(panel.unit);
  const yUnit = label || undefined;
  switch (panel.kind) {
    case 'timeseries':
      return renderTimeSeriesPng({
        title: panel.title,
        series: toSeries(rows).map((s) => ({
          name: s.name,
          points: s.points.map(([t, v]) => [t, v * scale] as const),
        })),
        ...(yUnit ? { yUnit } : {}),
      });
    case 'bars':
      return renderBarsPng({
        title: panel.title,
        bars: rows.map((r) => ({ label: String(r.label), value: (num(r.value) ?? 0) * scale })),
        ...(yUnit ? { yUnit } : {}),
      });
    case 'stat': {
      const v = num(rows[0]?.value);
      return renderStatPng({ title: panel.title, value: v === null ? null : v * scale, ...(yUnit ? { yUnit } : {}) });
    }
    case 'table': {
      const columns = rows[0] ? Object.keys(rows[0]) : [];
      return renderTablePng({ title: panel.title, columns, rows: rows.map((r) => columns.map((c) => cellText(r[c]))) });
    }
  }
}
