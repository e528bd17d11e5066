import type { GpuTelemetry } from '../../schemas/index.js';
import type { GpuReading } from '../sources/types.js';

export interface GpuTelemetryResult {
  data: GpuTelemetry;
  /** Processes whose GPU nvidia-smi did not name while several GPUs exist: left out, and logged by the caller. */
  unattributed: number;
}

/** A reading as `oi.tel.gpu.v1` data. On a single-GPU node a process without gpu_uuid belongs to that GPU. */
export function toGpuTelemetry(reading: GpuReading, node: string, workload: string): GpuTelemetryResult {
  const only = reading.gpus.length === 1 ? reading.gpus[0]!.uuid : undefined;
  let unattributed = 0;
  const processes: GpuTelemetry['processes'] = [];
  for (const p of reading.processes) {
    const uuid = p.gpu_uuid ?? only;
    if (uuid === undefined) {
      unattributed++;
      continue;
    }
    processes.push({ pid: p.pid, gpu_uuid: uuid, used_mib: p.used_mib, name: p.name });
  }
  const data: GpuTelemetry = {
    node,
    workload,
    ...(reading.driverVersion === undefined ? {} : { driver_version: reading.driverVersion }),
    gpus: reading.gpus,
    processes,
  };
  return { data, unattributed };
}
