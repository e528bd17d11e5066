import type { GpuId } from './gpus.js';

/**
 * How far below its datasheet a GPU runs inside an inference engine. `effectiveBandwidthFraction`
 * scales HBM bandwidth, `effectiveComputeFraction` dense tensor FLOPs, and `stepOverheadSec` is the
 * fixed cost of one engine step (scheduler, input preparation, kernel launches, sampling).
 */
export interface GpuCalibration {
  effectiveBandwidthFraction: number;
  effectiveComputeFraction: number;
  stepOverheadSec: number;
  /** `measured` when derived from shared/data/gpu-measured.md, else `assumed`. */
  basis: 'measured' | 'assumed';
  note: string;
}

// Assumed for every GPU: vLLM V1 with CUDA graphs spends about 1 ms per step outside the
// model's kernels, which puts Llama-3.1-8B batch-1 decode on H100 near 6.4 ms (≈156 tok/s).
const STEP_OVERHEAD_SEC = 0.001;

export const CALIBRATION: Readonly<Record<GpuId, GpuCalibration>> = {
  'H100-SXM': {
    // 3.0 TB/s measured copy / 3.35 TB/s peak; mean of 769–798 TFLOP/s measured / 989 peak
    effectiveBandwidthFraction: 3.0 / 3.35,
    effectiveComputeFraction: (769 + 798) / 2 / 989,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'measured',
    note: 'gpu-measured.md: device copy ~3.0 TB/s, bf16 GEMM 769–798 TFLOP/s',
  },
  H200: {
    // 4.3 TB/s measured copy / 4.8 TB/s peak; ~788 TFLOP/s measured / 989 peak
    effectiveBandwidthFraction: 4.3 / 4.8,
    effectiveComputeFraction: 788 / 989,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'measured',
    note: 'gpu-measured.md: device copy ~4.3 TB/s, bf16 GEMM ~788 TFLOP/s',
  },
  'H100-PCIe': {
    effectiveBandwidthFraction: 0.9,
    effectiveComputeFraction: 0.7,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'assumed',
    note: 'same HBM efficiency as the measured H100 SXM; lower compute fraction for its 350 W cap',
  },
  'A100-80GB': {
    effectiveBandwidthFraction: 0.85,
    effectiveComputeFraction: 0.7,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'assumed',
    note: 'assumed: HBM2e copy ~85% of peak, sustained GEMM ~70% of peak',
  },
  L40S: {
    effectiveBandwidthFraction: 0.85,
    effectiveComputeFraction: 0.65,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'assumed',
    note: 'assumed: GDDR6 copy ~85% of peak, GEMM ~65% of peak (power-limited Ada)',
  },
  A10G: {
    effectiveBandwidthFraction: 0.85,
    effectiveComputeFraction: 0.6,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'assumed',
    note: 'assumed: GDDR6 copy ~85% of peak, GEMM ~60% of the A10 sheet figure',
  },
  L4: {
    effectiveBandwidthFraction: 0.85,
    effectiveComputeFraction: 0.6,
    stepOverheadSec: STEP_OVERHEAD_SEC,
    basis: 'assumed',
    note: 'assumed: GDDR6 copy ~85% of peak, GEMM ~60% of peak (72 W cap)',
  },
};
