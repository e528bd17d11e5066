import { SimConfigError, SimConfigErrorCode } from './config-error.js';

/** One GPU model's datasheet figures. TFLOPs are dense (the sheets print sparse ×2 with an asterisk). */
export interface GpuSpec {
  id: GpuId;
  name: string;
  /** Capacity as printed on the datasheet, in GB. */
  memoryGbSpec: number;
  /** Capacity the driver reports (what vLLM multiplies by gpu_memory_utilization). */
  memoryBytes: number;
  memoryBytesSource: string;
  hbmBytesPerSec: number;
  bf16DenseFlops: number;
  /** `null`: no fp8 tensor cores (Ampere); fp8 weights then run weight-only (W8A16) at bf16 rate. */
  fp8DenseFlops: number | null;
  /** Host link, both directions together as the sheet prints it; one direction is half. */
  pcieBytesPerSec: number;
  /** GPU-to-GPU link for tensor parallel all-reduce; `null` when only PCIe connects them. */
  nvlinkBytesPerSec: number | null;
  tdpWatts: number;
  source: string;
}

export const GpuId = {
  h100Sxm: 'H100-SXM',
  h100Pcie: 'H100-PCIe',
  h200: 'H200',
  a100_80gb: 'A100-80GB',
  l40s: 'L40S',
  a10g: 'A10G',
  l4: 'L4',
} as const;
export type GpuId = (typeof GpuId)[keyof typeof GpuId];

const MiB = 1024 * 1024;
const TB = 1e12;
const GB = 1e9;
const TFLOP = 1e12;
const TYPICAL_SMI = 'assumed: total typically reported by nvidia-smi for this card';

export const GPUS: Readonly<Record<GpuId, GpuSpec>> = {
  'H100-SXM': {
    id: 'H100-SXM',
    name: 'NVIDIA H100 80GB HBM3 (SXM5)',
    memoryGbSpec: 80,
    memoryBytes: 81559 * MiB,
    memoryBytesSource: 'measured: nvidia-smi 81559 MiB (shared/data/gpu-measured.md)',
    hbmBytesPerSec: 3.35 * TB,
    bf16DenseFlops: 989 * TFLOP,
    fp8DenseFlops: 1979 * TFLOP,
    pcieBytesPerSec: 128 * GB,
    nvlinkBytesPerSec: 900 * GB,
    tdpWatts: 700,
    source: 'https://www.nvidia.com/en-us/data-center/h100/ (H100 SXM column)',
  },
  'H100-PCIe': {
    id: 'H100-PCIe',
    name: 'NVIDIA H100 PCIe 80GB HBM2e',
    memoryGbSpec: 80,
    memoryBytes: 81559 * MiB,
    memoryBytesSource: TYPICAL_SMI,
    hbmBytesPerSec: 2.0 * TB,
    bf16DenseFlops: 756 * TFLOP,
    fp8DenseFlops: 1513 * TFLOP,
    pcieBytesPerSec: 128 * GB,
    nvlinkBytesPerSec: 600 * GB,
    tdpWatts: 350,
    source: 'NVIDIA H100 Tensor Core GPU datasheet (H100 PCIe column), https://resources.nvidia.com/en-us-tensor-core',
  },
  H200: {
    id: 'H200',
    name: 'NVIDIA H200 141GB HBM3e (SXM)',
    memoryGbSpec: 141,
    memoryBytes: 143771 * MiB,
    memoryBytesSource: TYPICAL_SMI,
    hbmBytesPerSec: 4.8 * TB,
    bf16DenseFlops: 989 * TFLOP,
    fp8DenseFlops: 1979 * TFLOP,
    pcieBytesPerSec: 128 * GB,
    nvlinkBytesPerSec: 900 * GB,
    tdpWatts: 700,
    source: 'https://www.nvidia.com/en-us/data-center/h200/ (H200 SXM column)',
  },
  'A100-80GB': {
    id: 'A100-80GB',
    name: 'NVIDIA A100 80GB HBM2e (SXM4)',
    memoryGbSpec: 80,
    memoryBytes: 81920 * MiB,
    memoryBytesSource: TYPICAL_SMI,
    hbmBytesPerSec: 2.039 * TB,
    bf16DenseFlops: 312 * TFLOP,
    fp8DenseFlops: null,
    pcieBytesPerSec: 64 * GB,
    nvlinkBytesPerSec: 600 * GB,
    tdpWatts: 400,
    source: 'https://www.nvidia.com/en-us/data-center/a100/ (A100 80GB SXM column; Ampere has no FP8)',
  },
  L40S: {
    id: 'L40S',
    name: 'NVIDIA L40S 48GB GDDR6',
    memoryGbSpec: 48,
    memoryBytes: 46068 * MiB,
    memoryBytesSource: TYPICAL_SMI,
    hbmBytesPerSec: 864 * GB,
    bf16DenseFlops: 362.05 * TFLOP,
    fp8DenseFlops: 733 * TFLOP,
    pcieBytesPerSec: 64 * GB,
    nvlinkBytesPerSec: null,
    tdpWatts: 350,
    source: 'https://www.nvidia.com/en-us/data-center/l40s/',
  },
  A10G: {
    id: 'A10G',
    name: 'NVIDIA A10G 24GB GDDR6 (AWS G5)',
    memoryGbSpec: 24,
    memoryBytes: 23028 * MiB,
    memoryBytesSource: TYPICAL_SMI,
    hbmBytesPerSec: 600 * GB,
    bf16DenseFlops: 125 * TFLOP,
    fp8DenseFlops: null,
    pcieBytesPerSec: 64 * GB,
    nvlinkBytesPerSec: null,
    // AWS's A10G power limit; the A10 sheet says 150 W
    tdpWatts: 300,
    source:
      'https://www.nvidia.com/en-us/data-center/products/a10-gpu/ (A10 sheet; NVIDIA publishes none for the A10G, assumed equal; no FP8)',
  },
  L4: {
    id: 'L4',
    name: 'NVIDIA L4 24GB GDDR6',
    memoryGbSpec: 24,
    memoryBytes: 23034 * MiB,
    memoryBytesSource: TYPICAL_SMI,
    hbmBytesPerSec: 300 * GB,
    bf16DenseFlops: 121 * TFLOP,
    fp8DenseFlops: 242.5 * TFLOP,
    pcieBytesPerSec: 64 * GB,
    nvlinkBytesPerSec: null,
    tdpWatts: 72,
    source: 'https://www.nvidia.com/en-us/data-center/l4/',
  },
};

export function getGpu(id: string, field = 'gpu'): GpuSpec {
  const gpu = (GPUS as Record<string, GpuSpec | undefined>)[id];
  if (!gpu) {
    const known = Object.keys(GPUS).join(', ');
    throw new SimConfigError(SimConfigErrorCode.unknownGpu, field, 'known_gpu', `unknown GPU '${id}'; known: ${known}`);
  }
  return gpu;
}

/**
 * vLLM's OpenAI-server defaults for max_num_seqs / max_num_batched_tokens (`get_batch_defaults`):
 * GPUs with ≥ 70 GiB other than the A100 get 1024 / 8192, the rest 256 / 2048.
 */
export function schedulerDefaults(gpu: GpuSpec): { maxNumSeqs: number; maxNumBatchedTokens: number } {
  const large = gpu.memoryBytes >= 70 * 1024 ** 3 && gpu.id !== 'A100-80GB';
  return large ? { maxNumSeqs: 1024, maxNumBatchedTokens: 8192 } : { maxNumSeqs: 256, maxNumBatchedTokens: 2048 };
}
