/** Template variables every dashboard may use (Grafana multi-value, with All). */
export const VARIABLES = ['workload', 'node', 'agent'] as const;
export type VariableName = (typeof VARIABLES)[number];

/**
 * How a panel shows its rows, and the shape its SQL returns:
 * - `timeseries`: long form `(time DateTime, series String, value Float64)`, one line per series;
 *   a series whose name holds `SLO` or `baseline` is a reference line (drawn dashed);
 * - `stat`: one row with a numeric `value`;
 * - `bars`: rows `(label String, value Float64)`, one bar each;
 * - `table`: any columns.
 */
export type PanelKind = 'timeseries' | 'stat' | 'bars' | 'table';

export interface PanelSpec {
  /** kebab-case, unique in its dashboard: the PNG's file name. */
  key: string;
  title: string;
  kind: PanelKind;
  /** What the panel answers and where its numbers (and any SLO line) come from. */
  description: string;
  /** Grafana SQL: plugin macros (`$__timeFilter`, …) and `${workload:singlequote}`-style variables. */
  sql: string;
  /** Grafana unit id (`currencyUSD`, `ms`, `percentunit`, …). */
  unit?: string;
  /** Grid width out of 24 (default: 12, stat 6, table 24). */
  width?: number;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: readonly VariableName[];
  panels: readonly PanelSpec[];
}
