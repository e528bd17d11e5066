import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TelemetryParseError } from '../errors.js';
import { parseGpuQueryCsv } from './nvidia-smi-csv.js';
import { parseNvidiaSmiXml } from './nvidia-smi-xml.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/nvidia-smi/${name}`, import.meta.url), 'utf8');

describe('gpu-edge nvidia-smi xml', () => {
  it('reads the real H100 load capture', () => {
    // expected values: fixtures/nvidia-smi/smi-load.xml (real H100, driver 580.159.04)
    const { gpus, processes, driverVersion } = parseNvidiaSmiXml(fixture('smi-load.xml'));
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
        power_w: 699.08, // gpu_power_readings/average_power_draw
        power_limit_w: 700,
        sm_clock_mhz: 1335, // clocks/sm_clock, not max_clocks/sm_clock (1980)
        mem_clock_mhz: 2619,
        temp_c: 61,
        ecc_uncorrected: 0,
        mig_mode: 'disabled',
        pstate: 'P0',
      },
    ]);
    expect(processes).toEqual([
      { pid: 430, gpu_uuid: 'GPU-c6c4c736-58fd-3a3f-976a-87a7829aec20', used_mib: 39150, name: 'python3' },
    ]);
  });

  it('agrees with the CSV query of the idle capture on every field both carry', () => {
    const xml = parseNvidiaSmiXml(fixture('smi-idle.xml')).gpus[0]!;
    const csv = parseGpuQueryCsv(fixture('smi-idle.csv')).gpus[0]!;
    // power is sampled separately by the two commands; everything else must match
    const { power_w: _x, ...xmlRest } = xml;
    const { power_w: _c, ...csvRest } = csv;
    expect(xmlRest).toEqual(csvRest);
    expect(parseNvidiaSmiXml(fixture('smi-idle.xml')).processes).toEqual([]);
  });

  it('reads the parent GPU, not its MIG slices, and sums R5xx volatile uncorrectable ECC counters', () => {
    // constructed from smi-load.xml: MIG enabled, one slice listed before the GPU's own memory
    const xml = fixture('smi-load.xml')
      .replace('<current_mig>Disabled</current_mig>', '<current_mig>Enabled</current_mig>')
      .replace(
        /<mig_devices>\s*None\s*<\/mig_devices>/,
        '<mig_devices><mig_device><index>0</index><fb_memory_usage><total>9856 MiB</total><used>13 MiB</used></fb_memory_usage></mig_device></mig_devices>'
      )
      .replace('<gpu_util>100 %</gpu_util>', '<gpu_util>N/A</gpu_util>')
      .replace('<dram_uncorrectable>0</dram_uncorrectable>', '<dram_uncorrectable>2</dram_uncorrectable>')
      .replace(
        '<sram_uncorrectable_parity>0</sram_uncorrectable_parity>',
        '<sram_uncorrectable_parity>1</sram_uncorrectable_parity>'
      );
    const gpu = parseNvidiaSmiXml(xml).gpus[0]!;
    expect(gpu).toMatchObject({ mig_mode: 'enabled', util_pct: null, memory_total_mib: 81559, memory_used_mib: 39159 });
    expect(gpu.ecc_uncorrected).toBe(3);
  });

  it('reports ECC as null when ECC is off, and refuses input that is not nvidia-smi XML', () => {
    const off = fixture('smi-idle.xml').replace(
      '<current_ecc>Enabled</current_ecc>',
      '<current_ecc>Disabled</current_ecc>'
    );
    expect(parseNvidiaSmiXml(off).gpus[0]!.ecc_uncorrected).toBeNull();
    expect(() => parseNvidiaSmiXml('<html></html>')).toThrow(TelemetryParseError);
  });
});
