/**
 * dashboards — Grafana over ClickHouse (DESIGN.md "Data"): seven dashboards written as typed
 * TypeScript (`@grafana/schema`) and generated into `json/` for Grafana's file provider, the
 * macro expander that runs their SQL outside Grafana, and PNG pictures of any panel (resvg).
 * See README.md.
 */
export type { DashboardSpec, PanelKind, PanelSpec, VariableName } from './src/panel-spec.js';
export { VARIABLES } from './src/panel-spec.js';
export { DASHBOARDS } from './src/catalog.js';
export { DATASOURCE, toGrafanaDashboard } from './src/grafana-json.js';
export { expandMacros } from './src/expand-macros.js';
export type { QueryContext } from './src/expand-macros.js';
export { DASHBOARD_JSON_DIR, generatedDashboardFiles, writeDashboardFiles } from './src/dashboard-files.js';
export type {
  BarChart,
  ChartSeries,
  ChartThreshold,
  StatChart,
  TableChart,
  TimeSeriesChart,
} from './render/chart-types.js';
export { barsSvg, formatNumber, statSvg, tableSvg, timeSeriesSvg } from './render/svg-chart.js';
export {
  chartFontFiles,
  renderBarsPng,
  renderStatPng,
  renderTablePng,
  renderTimeSeriesPng,
  svgToPng,
} from './render/png.js';
export { panelPng, queryPanel, timeMs, toSeries } from './render/panel-png.js';
export type { PanelRow } from './render/panel-png.js';
