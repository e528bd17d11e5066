import type { Dashboard, DataSourceRef, Panel, VariableModel } from '@grafana/schema';
import type { DashboardSpec, PanelSpec, VariableName } from './panel-spec.js';

/** The provisioned ClickHouse datasource (provisioning/datasources/clickhouse.yml). */
export const DATASOURCE: DataSourceRef = { type: 'grafana-clickhouse-datasource', uid: 'oi-clickhouse' };

const VARIABLE_QUERIES: Record<VariableName, { label: string; query: string }> = {
  workload: {
    label: 'Workload',
    query: `SELECT DISTINCT workload FROM (
  SELECT workload FROM tel_cost_1h UNION ALL SELECT workload FROM tel_engine_1h
  UNION ALL SELECT workload FROM events WHERE schema = 'oi.evt.workload.registered.v1')
ORDER BY workload`,
  },
  node: {
    label: 'Node',
    query: 'SELECT DISTINCT node FROM tel_engine_1h WHERE workload IN (${workload:singlequote}) ORDER BY node',
  },
  agent: { label: 'Agent', query: 'SELECT DISTINCT agent FROM proposals ORDER BY agent' },
};

function variable(name: VariableName): VariableModel {
  const { label, query } = VARIABLE_QUERIES[name];
  return {
    type: 'query',
    name,
    label,
    datasource: DATASOURCE,
    query,
    refresh: 2, // on time range change
    multi: true,
    includeAll: true,
    current: { text: 'All', value: '$__all' },
    sort: 1,
  };
}

const GRID_COLUMNS = 24;
const HEIGHT: Record<PanelSpec['kind'], number> = { timeseries: 8, stat: 4, bars: 8, table: 8 };
const WIDTH: Record<PanelSpec['kind'], number> = { timeseries: 12, stat: 6, bars: 12, table: 24 };

/** Left-to-right rows, a new row when the next panel does not fit. */
function layout(panels: readonly PanelSpec[]): { x: number; y: number; w: number; h: number }[] {
  let x = 0;
  let y = 0;
  let rowH = 0;
  return panels.map((p) => {
    const w = p.width ?? WIDTH[p.kind];
    const h = HEIGHT[p.kind];
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const pos = { x, y, w, h };
    x += w;
    rowH = Math.max(rowH, h);
    return pos;
  });
}

function target(p: PanelSpec): Record<string, unknown> {
  const series = p.kind === 'timeseries';
  return {
    refId: 'A',
    datasource: DATASOURCE,
    editorType: 'sql',
    // sqlds formats: 0 time series (long rows become one field per series), 1 table
    queryType: series ? 'timeSeries' : 'table',
    format: series ? 0 : 1,
    rawSql: p.sql,
  };
}

const REFERENCE_LINE = '.*(SLO|baseline).*';

function panel(p: PanelSpec, id: number, gridPos: Panel['gridPos']): Panel {
  const base: Panel = {
    id,
    type: 'table',
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos,
    targets: [target(p)],
    fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
  };
  switch (p.kind) {
    case 'timeseries':
      return {
        ...base,
        type: 'timeseries',
        fieldConfig: {
          // long rows arrive as one field per `series` label
          defaults: { ...base.fieldConfig!.defaults, displayName: '${__field.labels.series}' },
          overrides: [
            {
              matcher: { id: 'byRegexp', options: REFERENCE_LINE },
              properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }],
            },
          ],
        },
        options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true } },
      };
    case 'stat':
      return {
        ...base,
        type: 'stat',
        options: { reduceOptions: { calcs: ['lastNotNull'], fields: '/^value$/', values: false }, colorMode: 'value' },
      };
    case 'bars':
      return {
        ...base,
        type: 'bargauge',
        options: {
          orientation: 'horizontal',
          displayMode: 'basic',
          reduceOptions: { calcs: [], fields: '/^value$/', values: true },
        },
      };
    case 'table':
      return { ...base, options: { showHeader: true } };
  }
}

/** The Grafana dashboard JSON for a spec: ids in order, variables as the spec lists them. */
export function toGrafanaDashboard(spec: DashboardSpec): Dashboard {
  const positions = layout(spec.panels);
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['optiinfra'],
    editable: false,
    schemaVersion: 41,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: 'utc',
    graphTooltip: 1,
    templating: { list: spec.variables.map(variable) },
    panels: spec.panels.map((p, i) => panel(p, i + 1, positions[i])),
  };
}
