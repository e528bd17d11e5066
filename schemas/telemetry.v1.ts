import { z } from 'zod';
import { count, nodeId, nonNegative, percent, purchaseOption, quantilesMs, ratio, seconds } from './common.js';
import { defineMessage } from './registry.js';
import { workloadId } from './workload.v1.js';

/**
 * Telemetry (DESIGN.md "Subjects": `oi.v1.tel.<source>.<workload>.<node>`). Values nvidia-smi
 * prints as `[N/A]` or `[Not Supported]` (MIG slices, consumer boards, containers) are null,
 * never 0: a missing reading must not look like an idle GPU.
 */

export const gpuDevice = z.object({
  index: count,
  uuid: z.string().min(1).max(100).describe('GPU-… or MIG-… uuid as nvidia-smi prints it'),
  name: z.string().min(1).max(200).describe('product name, e.g. NVIDIA H100 80GB HBM3'),
  pci_bus_id: z.string().max(32).optional(),
  memory_used_mib: nonNegative,
  memory_total_mib: z.number().positive(),
  memory_reserved_mib: nonNegative.nullable().optional().describe('driver-reserved framebuffer'),
  util_pct: percent.nullable().describe('utilization.gpu: share of time a kernel ran; null under MIG'),
  mem_util_pct: percent.nullable().describe('utilization.memory: share of time memory was read or written'),
  power_w: nonNegative.nullable(),
  power_limit_w: nonNegative.nullable(),
  sm_clock_mhz: nonNegative.nullable(),
  mem_clock_mhz: nonNegative.nullable(),
  temp_c: z.number().min(-50).max(200).nullable(),
  ecc_uncorrected: count.nullable().describe('ecc.errors.uncorrected.volatile.total; null when ECC is off'),
  mig_mode: z.enum(['enabled', 'disabled', 'unsupported']),
  pstate: z
    .string()
    .regex(/^P([0-9]|1[0-5])$/)
    .nullable()
    .optional(),
});
export type GpuDevice = z.infer<typeof gpuDevice>;

export const gpuProcess = z.object({
  pid: count,
  gpu_uuid: z.string().min(1).max(100),
  used_mib: nonNegative.nullable().describe('null where the driver cannot attribute memory (e.g. WDDM)'),
  name: z.string().max(500),
});

export const gpuTelemetryV1 = defineMessage({
  id: 'oi.tel.gpu.v1',
  description: 'One sample of every GPU on a node (nvidia-smi or the simulator).',
  data: z.object({
    node: nodeId,
    workload: workloadId,
    driver_version: z.string().max(64).optional(),
    gpus: z.array(gpuDevice).min(1).max(64),
    processes: z.array(gpuProcess).max(1024).optional(),
  }),
});
export type GpuTelemetry = z.infer<typeof gpuTelemetryV1.data>;

const engineBase = {
  node: nodeId,
  workload: workloadId,
  engine: z.enum(['vllm', 'sim']),
  model: z.string().min(1).max(200).describe('served model name (vLLM model_name label)'),
  window_s: seconds.describe('window the rates and quantiles were computed over'),
};

export const engineTelemetryV1 = defineMessage({
  id: 'oi.tel.engine.v1',
  description: 'Engine state and rates over a window, from vLLM /metrics; a failed scrape is reported with up=false.',
  data: z.discriminatedUnion('up', [
    z.object({
      ...engineBase,
      up: z.literal(true),
      requests_running: count,
      requests_waiting: count,
      kv_cache_usage: ratio.describe('vllm:kv_cache_usage_perc, 1 = full'),
      kv_capacity_tokens: count.optional().describe('num_gpu_blocks × block_size from cache_config_info'),
      prefix_cache_hit_rate: ratio.nullable().optional().describe('hits/queries over the window; null without queries'),
      prompt_tokens_per_s: nonNegative,
      generation_tokens_per_s: nonNegative,
      preemptions_total: count.describe('cumulative since engine start (resets on restart)'),
      request_success_total: z
        .record(z.string().min(1).max(32), count)
        .describe('cumulative finished requests by finished_reason (stop, length, abort, …)'),
      ttft_ms: quantilesMs.nullable().describe('time to first token; null when no request finished prefill'),
      itl_ms: quantilesMs.nullable().describe('inter-token latency; null without decode steps'),
      e2e_ms: quantilesMs.nullable().describe('end-to-end request latency; null when no request finished'),
    }),
    z.object({
      ...engineBase,
      up: z.literal(false),
      scrape_error: z.string().min(1).max(2000).describe('why the engine could not be read'),
    }),
  ]),
});
export type EngineTelemetry = z.infer<typeof engineTelemetryV1.data>;

/**
 * Privacy tiers (seed 000 §9.3): 1 = logs only (counts, tokens, latency; the default),
 * 2 = plus aggregated patterns, 3 = full trust, prompt and completion content allowed.
 */
export const appTelemetryV1 = defineMessage({
  id: 'oi.tel.app.v1',
  description: 'Application request-log summary of one workload over a window, privacy-tiered.',
  sensitive: true,
  data: z
    .object({
      node: nodeId.describe('host that shipped the log (router or gateway)'),
      workload: workloadId,
      privacy_tier: z.number().int().min(1).max(3),
      window_s: seconds,
      model: z.string().min(1).max(200).describe('model that served the requests'),
      requests_total: count,
      requests_failed: count,
      tokens_in: count,
      tokens_out: count,
      latency_ms: quantilesMs.nullable().optional(),
      input_tokens_p95: count.nullable().optional().describe('95th percentile of prompt length, for context sizing'),
      long_input_short_output: count.optional().describe('requests with >5000 tokens in and <100 out'),
      quality_score: ratio.optional().describe('evaluator score of the window, 1 = best'),
      prompt_patterns: z
        .record(z.string().min(1).max(64), ratio)
        .optional()
        .describe('tier ≥ 2: share of requests per prompt pattern, e.g. few_shot: 0.6'),
      samples: z
        .array(
          z.object({
            request_id: z.string().max(128).optional(),
            prompt: z.string().max(200_000),
            completion: z.string().max(200_000).optional(),
          })
        )
        .max(100)
        .optional()
        .describe('tier 3 only: sampled request content'),
    })
    .superRefine((d, ctx) => {
      if (d.requests_failed > d.requests_total) {
        ctx.addIssue({ code: 'custom', path: ['requests_failed'], message: 'cannot exceed requests_total' });
      }
      if (d.prompt_patterns !== undefined && d.privacy_tier < 2) {
        ctx.addIssue({ code: 'custom', path: ['prompt_patterns'], message: 'needs privacy_tier 2 or 3' });
      }
      if (d.samples !== undefined && d.privacy_tier < 3) {
        ctx.addIssue({ code: 'custom', path: ['samples'], message: 'request content needs privacy_tier 3' });
      }
    }),
});
export type AppTelemetry = z.infer<typeof appTelemetryV1.data>;

export const costTelemetryV1 = defineMessage({
  id: 'oi.tel.cost.v1',
  description: 'What one instance costs, as billed over an interval (cloud billing or the simulator).',
  data: z.object({
    node: nodeId,
    workload: workloadId,
    instance_id: z.string().min(1).max(200),
    instance_type: z.string().min(1).max(100).describe('provider name, e.g. p5.4xlarge'),
    provider: z.string().min(1).max(64).optional(),
    region: z.string().min(1).max(64),
    zone: z.string().min(1).max(64).optional(),
    gpu_type: z.string().min(1).max(100).describe('e.g. H100-80GB'),
    gpu_count: count.max(64),
    purchase_option: purchaseOption,
    usd_per_hour: nonNegative.describe('effective price of the whole instance, reserved upfront amortised'),
    interval_s: seconds.describe('the sample covers this many seconds: cost = usd_per_hour × interval_s / 3600'),
  }),
});
export type CostTelemetry = z.infer<typeof costTelemetryV1.data>;
