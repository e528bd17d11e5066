import type { GpuDevice } from '../../schemas/index.js';
import { TelemetryParseError } from '../errors.js';
import type { GpuQueryResult, GpuProcessReading } from './nvidia-smi-csv.js';
import {
  integerOrNull,
  isNoReading,
  migMode,
  numberOrNull,
  pstateOrNull,
  required,
  stringOrNull,
  type ValueContext,
} from './nvidia-smi-values.js';

/**
 * Reads `nvidia-smi -q -x` for the same fields as the CSV query. nvidia-smi's XML is flat enough
 * (no element nests one of its own name) that the first `<a>…</a>` inside its parent is the one.
 */

const FORMAT = 'nvidia-smi -q -x';

function inner(xml: string, name: string): string | undefined {
  const open = new RegExp(`<${name}(?:\\s[^>]*)?>`).exec(xml);
  if (!open) return undefined;
  const start = open.index + open[0].length;
  const end = xml.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : xml.slice(start, end);
}

function at(xml: string, path: string): string | undefined {
  let cur: string | undefined = xml;
  for (const name of path.split('/')) {
    if (cur === undefined) return undefined;
    cur = inner(cur, name);
  }
  return cur;
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** Text of the first element on `path`, or `N/A` when absent (older drivers lack some). */
function text(xml: string, ...paths: string[]): string {
  for (const p of paths) {
    const v = at(xml, p);
    if (v !== undefined && !isNoReading(decode(v))) return decode(v);
  }
  return 'N/A';
}

function lineOf(xml: string, offset: number): number {
  return xml.slice(0, offset).split('\n').length;
}

// R5xx drivers split volatile uncorrected ECC into sram/dram counters; older ones print double_bit/total
function eccUncorrected(gpu: string, ctx: ValueContext): number | null {
  if (text(gpu, 'ecc_mode/current_ecc') === 'Disabled') return null;
  const volatile = at(gpu, 'ecc_errors/volatile');
  if (volatile === undefined) return null;
  const doubleBit = at(volatile, 'double_bit/total');
  if (doubleBit !== undefined) return integerOrNull(decode(doubleBit), ctx);
  let total: number | null = null;
  for (const m of volatile.matchAll(/<(\w*uncorrectable\w*)>([^<]*)<\/\1>/g)) {
    const n = integerOrNull(decode(m[2]!), ctx);
    if (n !== null) total = (total ?? 0) + n;
  }
  return total;
}

export interface GpuXmlResult extends GpuQueryResult {
  processes: GpuProcessReading[];
}

export function parseNvidiaSmiXml(xml: string): GpuXmlResult {
  if (!xml.includes('<nvidia_smi_log>')) {
    throw new TelemetryParseError(FORMAT, 1, 'nvidia_smi_log', 'root', 'not nvidia-smi XML (no <nvidia_smi_log>)');
  }
  const gpus: GpuDevice[] = [];
  const processes: GpuProcessReading[] = [];
  let index = 0;
  for (const m of xml.matchAll(/<gpu id="([^"]*)">([\s\S]*?)<\/gpu>/g)) {
    // MIG slices repeat fb_memory_usage etc. before the GPU's own; read the parent only
    const gpu = m[2]!.replace(/<mig_devices>[\s\S]*?<\/mig_devices>/, '');
    const line = lineOf(xml, m.index);
    const ctx = (field: string): ValueContext => ({ format: FORMAT, line, field });
    const num = (field: string, ...older: string[]): number | null =>
      numberOrNull(text(gpu, field, ...older), ctx(field));
    const uuid = required(stringOrNull(text(gpu, 'uuid')), ctx('uuid'));
    const device: GpuDevice = {
      // nvidia-smi numbers GPUs in the order it lists them
      index: index++,
      uuid,
      name: required(stringOrNull(text(gpu, 'product_name')), ctx('product_name')),
      pci_bus_id: stringOrNull(text(gpu, 'pci/pci_bus_id')) ?? m[1]!,
      memory_used_mib: required(num('fb_memory_usage/used'), ctx('fb_memory_usage/used')),
      memory_total_mib: required(num('fb_memory_usage/total'), ctx('fb_memory_usage/total')),
      memory_reserved_mib: num('fb_memory_usage/reserved'),
      util_pct: num('utilization/gpu_util'),
      mem_util_pct: num('utilization/memory_util'),
      // power.draw in the CSV is the 1 s average on Ampere and newer
      power_w: num(
        'gpu_power_readings/average_power_draw',
        'gpu_power_readings/instant_power_draw',
        'power_readings/power_draw'
      ),
      power_limit_w: num('gpu_power_readings/current_power_limit', 'power_readings/power_limit'),
      sm_clock_mhz: num('clocks/sm_clock'),
      mem_clock_mhz: num('clocks/mem_clock'),
      temp_c: num('temperature/gpu_temp'),
      ecc_uncorrected: eccUncorrected(gpu, ctx('ecc_errors/volatile')),
      mig_mode: migMode(text(gpu, 'mig_mode/current_mig'), ctx('mig_mode/current_mig')),
      pstate: pstateOrNull(text(gpu, 'performance_state'), ctx('performance_state')),
    };
    gpus.push(device);
    const procs = at(gpu, 'processes') ?? '';
    for (const p of procs.matchAll(/<process_info>([\s\S]*?)<\/process_info>/g)) {
      const info = p[1]!;
      processes.push({
        pid: required(integerOrNull(text(info, 'pid'), ctx('process_info/pid')), ctx('process_info/pid')),
        gpu_uuid: uuid,
        used_mib: numberOrNull(text(info, 'used_memory'), ctx('process_info/used_memory')),
        name: stringOrNull(text(info, 'process_name')) ?? '',
      });
    }
  }
  if (gpus.length === 0) throw new TelemetryParseError(FORMAT, 1, 'gpu', 'required', 'no <gpu> element');
  const driver = stringOrNull(text(xml, 'driver_version'));
  return driver === null ? { gpus, processes } : { gpus, processes, driverVersion: driver };
}
