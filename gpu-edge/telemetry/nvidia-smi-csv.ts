import type { GpuDevice } from '../../schemas/index.js';
import { TelemetryParseError } from '../errors.js';
import {
  integerOrNull,
  migMode,
  numberOrNull,
  pstateOrNull,
  required,
  stringOrNull,
  type ValueContext,
} from './nvidia-smi-values.js';

/** `--query-gpu` fields the poller asks for, in this order, with `--format=csv,noheader,nounits`. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'driver_version',
  'memory.total',
  'memory.used',
  'memory.reserved',
  'utilization.gpu',
  'utilization.memory',
  'power.draw',
  'power.limit',
  'clocks.current.sm',
  'clocks.current.memory',
  'temperature.gpu',
  'ecc.errors.uncorrected.volatile.total',
  'mig.mode.current',
  'pstate',
] as const;

/** `--query-compute-apps` fields; process_name last because it is the one that may hold commas. */
export const APP_QUERY_FIELDS = ['pid', 'gpu_uuid', 'used_memory', 'process_name'] as const;

// nvidia-smi accepts short names but prints the long ones in headers; apps print used_gpu_memory
const ALIASES: Record<string, string> = {
  'clocks.sm': 'clocks.current.sm',
  'clocks.mem': 'clocks.current.memory',
  'clocks.gr': 'clocks.current.graphics',
  used_gpu_memory: 'used_memory',
  gpu_name: 'name',
  gpu_bus_id: 'pci.bus_id',
};

const HEADER_CELL = /^[a-z_][a-z0-9_.]*(?: \[[^\]]+\])?$/i;

function canonicalField(cell: string): string {
  const name = cell
    .trim()
    .replace(/ \[[^\]]+\]$/, '')
    .toLowerCase();
  return ALIASES[name] ?? name;
}

function isHeader(cells: string[], known: readonly string[]): boolean {
  return cells.every((c) => HEADER_CELL.test(c.trim())) && cells.some((c) => known.includes(canonicalField(c)));
}

interface Rows {
  /** Column name → cell, plus the 1-based line number. */
  rows: { line: number; cells: Map<string, string> }[];
}

/**
 * Splits nvidia-smi CSV into named cells. A header line, when present, names the columns (so
 * extra columns are ignored); otherwise `fields` does. `lastAbsorbs` names a field that keeps
 * commas when it is the last column (process names).
 */
function readRows(
  text: string,
  format: string,
  fields: readonly string[],
  required: readonly string[],
  absorbing?: string
): Rows {
  const lines = text.split(/\r?\n/);
  let columns: readonly string[] = fields;
  const rows: Rows['rows'] = [];
  let seenData = false;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!;
    if (raw.trim() === '' || raw.trim() === 'No running processes found') continue;
    let cells = raw.split(',');
    if (!seenData && rows.length === 0 && isHeader(cells, fields)) {
      columns = cells.map(canonicalField);
      for (const f of required) {
        if (!columns.includes(f))
          throw new TelemetryParseError(format, line, f, 'required', 'column missing in header');
      }
      continue;
    }
    seenData = true;
    if (absorbing !== undefined && columns[columns.length - 1] === absorbing && cells.length > columns.length) {
      cells = [...cells.slice(0, columns.length - 1), cells.slice(columns.length - 1).join(',')];
    }
    if (cells.length !== columns.length) {
      const short = cells.length < columns.length;
      throw new TelemetryParseError(
        format,
        line,
        short ? columns[cells.length] : `#${columns.length + 1}`,
        'field_count',
        `expected ${columns.length} fields (${columns.join(', ')}), got ${cells.length}`
      );
    }
    rows.push({ line, cells: new Map(columns.map((c, j) => [c, cells[j]!.trim()])) });
  }
  return { rows };
}

export interface GpuQueryResult {
  gpus: GpuDevice[];
  driverVersion?: string;
}

const GPU_REQUIRED = ['index', 'uuid', 'name', 'memory.total', 'memory.used'];

/** Parses `nvidia-smi --query-gpu=…` output (with or without header and units). */
export function parseGpuQueryCsv(text: string, fields: readonly string[] = GPU_QUERY_FIELDS): GpuQueryResult {
  const format = 'nvidia-smi --query-gpu';
  const { rows } = readRows(text, format, fields, GPU_REQUIRED);
  let driverVersion: string | undefined;
  const gpus = rows.map(({ line, cells }) => {
    const ctx = (field: string): ValueContext => ({ format, line, field });
    const cell = (field: string): string => cells.get(field) ?? '[N/A]';
    const num = (field: string): number | null => numberOrNull(cell(field), ctx(field));
    const driver = stringOrNull(cell('driver_version'));
    if (driver !== null) driverVersion = driver;
    const device: GpuDevice = {
      index: required(integerOrNull(cell('index'), ctx('index')), ctx('index')),
      uuid: required(stringOrNull(cell('uuid')), ctx('uuid')),
      name: required(stringOrNull(cell('name')), ctx('name')),
      memory_used_mib: required(num('memory.used'), ctx('memory.used')),
      memory_total_mib: required(num('memory.total'), ctx('memory.total')),
      memory_reserved_mib: num('memory.reserved'),
      util_pct: num('utilization.gpu'),
      mem_util_pct: num('utilization.memory'),
      power_w: num('power.draw'),
      power_limit_w: num('power.limit'),
      sm_clock_mhz: num('clocks.current.sm'),
      mem_clock_mhz: num('clocks.current.memory'),
      temp_c: num('temperature.gpu'),
      ecc_uncorrected: integerOrNull(
        cell('ecc.errors.uncorrected.volatile.total'),
        ctx('ecc.errors.uncorrected.volatile.total')
      ),
      mig_mode: migMode(cell('mig.mode.current'), ctx('mig.mode.current')),
      pstate: pstateOrNull(cell('pstate'), ctx('pstate')),
    };
    const bus = stringOrNull(cell('pci.bus_id'));
    if (bus !== null) device.pci_bus_id = bus;
    return device;
  });
  return driverVersion === undefined ? { gpus } : { gpus, driverVersion };
}

/** A compute process; gpu_uuid is null when the query did not ask for it. */
export interface GpuProcessReading {
  pid: number;
  gpu_uuid: string | null;
  used_mib: number | null;
  name: string;
}

/** Parses `nvidia-smi --query-compute-apps=…` output; no processes → an empty list. */
export function parseComputeAppsCsv(text: string, fields: readonly string[] = APP_QUERY_FIELDS): GpuProcessReading[] {
  const format = 'nvidia-smi --query-compute-apps';
  const { rows } = readRows(text, format, fields, ['pid'], 'process_name');
  return rows.map(({ line, cells }) => {
    const ctx = (field: string): ValueContext => ({ format, line, field });
    const cell = (field: string): string => cells.get(field) ?? '[N/A]';
    return {
      pid: required(integerOrNull(cell('pid'), ctx('pid')), ctx('pid')),
      gpu_uuid: stringOrNull(cell('gpu_uuid')),
      used_mib: numberOrNull(cell('used_memory'), ctx('used_memory')),
      name: stringOrNull(cell('process_name')) ?? '',
    };
  });
}
