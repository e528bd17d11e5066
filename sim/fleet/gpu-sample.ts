import type { GpuSpec } from '../catalog/index.js';

/** One GPU as `oi.tel.gpu.v1` carries it (nvidia-smi's fields). */
export interface GpuSampleData {
  index: number;
  uuid: string;
  name: string;
  memory_used_mib: number;
  memory_total_mib: number;
  util_pct: number | null;
  mem_util_pct: number | null;
  power_w: number | null;
  power_limit_w: number | null;
  sm_clock_mhz: number | null;
  mem_clock_mhz: number | null;
  temp_c: number | null;
  ecc_uncorrected: number | null;
  mig_mode: 'enabled' | 'disabled' | 'unsupported';
}

/** Assumption: idle draw as a share of TDP (the H100 idle capture in shared/data shows ~10%). */
export const IDLE_POWER_SHARE = 0.1;

/** Assumption: memory-controller busy share per unit of kernel time (decode is bandwidth-bound). */
export const MEM_UTIL_PER_BUSY = 0.6;

/**
 * What nvidia-smi would print for a GPU running one vLLM engine: vLLM preallocates
 * `gpu_memory_utilization` of the memory at start, so memory used is flat; utilization is
 * the share of the window with a step running; power moves linearly from idle to TDP with it.
 */
export function gpuSample(gpu: GpuSpec, memoryUtilization: number, busyShare: number, node: string): GpuSampleData {
  const totalMib = Math.round(gpu.memoryBytes / 2 ** 20);
  const util = Math.max(0, Math.min(1, busyShare));
  return {
    index: 0,
    uuid: `GPU-sim-${node}`,
    name: `NVIDIA ${gpu.id} (simulated)`,
    memory_used_mib: Math.round(totalMib * memoryUtilization),
    memory_total_mib: totalMib,
    util_pct: Math.round(util * 100),
    mem_util_pct: Math.round(util * MEM_UTIL_PER_BUSY * 100),
    power_w: Math.round(gpu.tdpWatts * (IDLE_POWER_SHARE + (1 - IDLE_POWER_SHARE) * util)),
    power_limit_w: gpu.tdpWatts,
    sm_clock_mhz: null,
    mem_clock_mhz: null,
    temp_c: null,
    ecc_uncorrected: 0,
    mig_mode: 'disabled',
  };
}
