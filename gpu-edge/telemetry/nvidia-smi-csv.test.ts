import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gpuTelemetryV1, checkData } from '../../schemas/index.js';
import { TelemetryParseError } from '../errors.js';
import { toGpuTelemetry } from './gpu-telemetry.js';
import { parseComputeAppsCsv, parseGpuQueryCsv } from './nvidia-smi-csv.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url), 'utf8');

// the capture's own header line (fixtures/nvidia-smi/smi-idle.csv), for its noheader twin
const CAPTURE_FIELDS = readFileSync(new URL('../fixtures/nvidia-smi/smi-idle.csv', import.meta.url), 'utf8')
  .split('\n')[0]!
  .split(',')
  .map((f) => f.trim().replace(/ \[.*\]$/, ''));

describe('gpu-edge nvidia-smi csv', () => {
  it('reads the real H100 load capture (header and units) to the values nvidia-smi printed', () => {
    // expected values: fixtures/nvidia-smi/smi-load.csv, a real H100 80GB HBM3 under a bf16 matmul loop
    const { gpus, driverVersion } = parseGpuQueryCsv(fixture('smi-load.csv'));
    expect(driverVersion).toBe('580.159.04');
    expect(gpus).toEqual([
      {
        index: 0,
        uuid: 'GPU-c6c4c736-58fd-3a3f-976a-87a7829aec20',
        name: 'NVIDIA H100 80GB HBM3',
        pci_bus_id: '00000000:00:06.0',
        memory_used_mib: 39159,
        memory_total_mib: 81559,
        memory_reserved_mib: 480,
        util_pct: 100,
        mem_util_pct: 30,
        power_w: 697.58,
        power_limit_w: 700,
        sm_clock_mhz: 1335,
        mem_clock_mhz: 2619,
        temp_c: 61,
        ecc_uncorrected: 0,
        mig_mode: 'disabled',
        pstate: 'P0',
      },
    ]);
  });

  it('reads the real idle capture without header and units the same as with them', () => {
    const noUnits = parseGpuQueryCsv(fixture('smi-idle-nounits.csv'), CAPTURE_FIELDS);
    const withUnits = parseGpuQueryCsv(fixture('smi-idle.csv'));
    expect(noUnits).toEqual(withUnits);
    // smi-idle.csv: 0 MiB used, 0 % busy, 78.10 W at 345 MHz: an idle GPU reads 0, not null
    expect(noUnits.gpus[0]).toMatchObject({ memory_used_mib: 0, util_pct: 0, power_w: 78.1, sm_clock_mhz: 345 });
  });

  it('reads eight GPUs in the poller field order', () => {
    const { gpus } = parseGpuQueryCsv(fixture('constructed-8gpu-nounits.csv'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(gpus.map((g) => g.uuid)).size).toBe(8);
    expect(gpus[4]).toMatchObject({ memory_used_mib: 1, util_pct: 0, power_w: 69.88, pci_bus_id: '00000000:58:00.0' });
  });

  it('turns [N/A], [Not Supported] and [Unknown Error] into null, never 0, and reads MIG mode', () => {
    const { gpus } = parseGpuQueryCsv(fixture('constructed-mig-na-nounits.csv'));
    expect(gpus[0]).toMatchObject({ mig_mode: 'enabled', util_pct: null, mem_util_pct: null, power_w: 402.31 });
    expect(gpus[1]).toMatchObject({
      name: 'NVIDIA L4',
      memory_used_mib: 512,
      memory_reserved_mib: null,
      util_pct: 3,
      power_w: null,
      power_limit_w: null,
      temp_c: null,
      ecc_uncorrected: null,
      mig_mode: 'unsupported',
      pstate: 'P8',
    });
  });

  it('names the line and the missing field when a line has too few fields', () => {
    const err = (() => {
      try {
        parseGpuQueryCsv(fixture('constructed-bad-field-count.csv'));
      } catch (e) {
        return e;
      }
    })() as TelemetryParseError;
    expect(err).toBeInstanceOf(TelemetryParseError);
    expect(err.line).toBe(3);
    expect(err.field).toBe('pstate');
    expect(err.message).toMatch(/line 3, field pstate: expected 18 fields .* got 17 \(field_count\)/);
  });

  it('names the line and field of a value that is not a number', () => {
    const line = fixture('constructed-8gpu-nounits.csv').split('\n')[0]!.replace(', 72431,', ', lots,');
    expect(() => parseGpuQueryCsv(line)).toThrow(/line 1, field memory.used: "lots" is not a number \(number\)/);
  });

  it('refuses a GPU whose required reading is missing instead of inventing one', () => {
    const line = fixture('constructed-8gpu-nounits.csv').split('\n')[0]!.replace(', 81559,', ', [N/A],');
    expect(() => parseGpuQueryCsv(line)).toThrow(/field memory.total: no reading \(required\)/);
  });

  it('reads compute apps: the real capture, many GPUs, MIG [N/A] memory and commas in a process name', () => {
    expect(parseComputeAppsCsv(fixture('smi-apps.csv'))).toEqual([
      { pid: 430, gpu_uuid: null, used_mib: 39150, name: 'python3' },
    ]);
    const many = parseComputeAppsCsv(fixture('constructed-8gpu-apps-nounits.csv'));
    expect(many).toHaveLength(6);
    expect(many[4]).toEqual({
      pid: 5310,
      gpu_uuid: 'GPU-00000006-1b2c-4d3e-8f40-5a6b7c8d9e06',
      used_mib: 67770,
      name: '/opt/venv/bin/python3.12',
    });
    const mig = parseComputeAppsCsv(fixture('constructed-mig-apps-nounits.csv'));
    expect(mig.map((p) => p.used_mib)).toEqual([null, null]);
    expect(mig[1]!.name).toBe('/srv/run, shard 2');
    expect(parseComputeAppsCsv('')).toEqual([]);
  });

  it('builds valid oi.tel.gpu.v1 data, attributing processes on a single-GPU node', () => {
    const { gpus, driverVersion } = parseGpuQueryCsv(fixture('smi-load.csv'));
    const processes = parseComputeAppsCsv(fixture('smi-apps.csv'));
    const { data, unattributed } = toGpuTelemetry({ gpus, processes, driverVersion: driverVersion! }, 'node-1', 'wl-1');
    expect(unattributed).toBe(0);
    const valid = checkData(gpuTelemetryV1, data);
    expect(valid.processes).toEqual([
      { pid: 430, gpu_uuid: 'GPU-c6c4c736-58fd-3a3f-976a-87a7829aec20', used_mib: 39150, name: 'python3' },
    ]);
    const multi = parseGpuQueryCsv(fixture('constructed-8gpu-nounits.csv')).gpus;
    expect(toGpuTelemetry({ gpus: multi, processes }, 'node-1', 'wl-1').unattributed).toBe(1);
  });
});
