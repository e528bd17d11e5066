import { BLOCK_SIZE_TOKENS } from '../catalog/index.js';
import type { EngineConfig } from './engine-config.js';
import { Histogram, buckets125, renderFamilies, type Labels, type MetricFamily } from './prometheus-text.js';
import type { FinishReason, FinishedRequest } from './request.js';

// Buckets as vllm/v1/metrics/loggers.py (PrometheusStatLogger) declares them.
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
];
const ITL_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
  7680.0,
];
const ITERATION_TOKEN_BUCKETS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

/** Live engine state the gauges read at scrape time. */
export interface GaugeState {
  running: number;
  waiting: number;
  kvCacheUsage: number;
}

function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** vLLM V1's Prometheus metrics for one engine, current names (shared/data/vllm/REFERENCE.md §2.1). */
export class EngineMetrics {
  preemptions = 0;
  promptTokens = 0;
  generationTokens = 0;
  prefixQueries = 0;
  prefixHits = 0;
  externalQueries = 0;
  externalHits = 0;
  readonly success: Record<FinishReason, number> = { stop: 0, length: 0, abort: 0 };
  readonly ttft = new Histogram(TTFT_BUCKETS);
  readonly itl = new Histogram(ITL_BUCKETS);
  readonly tpot = new Histogram(ITL_BUCKETS);
  readonly e2e = new Histogram(REQUEST_LATENCY_BUCKETS);
  readonly queue = new Histogram(REQUEST_LATENCY_BUCKETS);
  readonly inference = new Histogram(REQUEST_LATENCY_BUCKETS);
  readonly prefill = new Histogram(REQUEST_LATENCY_BUCKETS);
  readonly decode = new Histogram(REQUEST_LATENCY_BUCKETS);
  readonly iterationTokens = new Histogram(ITERATION_TOKEN_BUCKETS);
  readonly promptTokensPerRequest: Histogram;
  readonly generationTokensPerRequest: Histogram;
  readonly maxTokensParam: Histogram;
  readonly maxGenerationTokens: Histogram;
  readonly paramsN = new Histogram([1, 2, 5, 10, 20]);

  constructor(private readonly config: EngineConfig) {
    const b = buckets125(config.maxModelLen);
    this.promptTokensPerRequest = new Histogram(b);
    this.generationTokensPerRequest = new Histogram(b);
    this.maxTokensParam = new Histogram(b);
    this.maxGenerationTokens = new Histogram(b);
  }

  observeFinished(r: FinishedRequest, maxTokens: number): void {
    this.success[r.finishReason]++;
    this.e2e.observe(r.e2eSec);
    this.queue.observe(r.queueTimeSec);
    this.prefill.observe(r.prefillTimeSec);
    this.inference.observe(r.inferenceTimeSec);
    this.decode.observe(r.decodeTimeSec);
    this.promptTokensPerRequest.observe(r.promptTokens);
    this.generationTokensPerRequest.observe(r.outputTokens);
    this.tpot.observe(r.meanTimePerOutputTokenSec);
    this.maxTokensParam.observe(maxTokens);
    this.maxGenerationTokens.observe(maxTokens);
    this.paramsN.observe(1);
  }

  families(state: GaugeState): MetricFamily[] {
    const c = this.config;
    const l: Labels = { model_name: c.servedModelName, engine: String(c.engineIndex) };
    const gauge = (name: string, help: string, value: number): MetricFamily => ({
      name,
      help,
      type: 'gauge',
      samples: [{ suffix: '', labels: l, value }],
    });
    const counter = (name: string, help: string, value: number): MetricFamily => ({
      name,
      help,
      type: 'counter',
      samples: [{ suffix: '_total', labels: l, value }],
    });
    const hist = (name: string, help: string, h: Histogram): MetricFamily => ({
      name,
      help,
      type: 'histogram',
      samples: h.samples(l),
    });
    const cacheInfo: Labels = {
      block_size: String(BLOCK_SIZE_TOKENS),
      cache_dtype: c.kvCacheDtype,
      calculate_kv_scales: 'False',
      cpu_offload_gb: '0',
      enable_prefix_caching: pyBool(c.enablePrefixCaching),
      engine: String(c.engineIndex),
      gpu_memory_utilization: String(c.gpuMemoryUtilization),
      is_attention_free: 'False',
      kv_offloading_size: c.kvOffloadBytes > 0 ? String(c.kvOffloadBytes / 1024 ** 3) : 'None',
      num_cpu_blocks: c.tiers.length > 0 ? String(c.tiers[0]!.capacityBlocks) : 'None',
      num_gpu_blocks: String(c.memory.numGpuBlocks),
      num_gpu_blocks_override: c.numGpuBlocksOverride === undefined ? 'None' : String(c.numGpuBlocksOverride),
      prefix_caching_hash_algo: 'sha256',
      sliding_window: 'None',
    };
    return [
      gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', state.running),
      gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', state.waiting),
      {
        name: 'vllm:engine_sleep_state',
        help: 'Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake; weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.',
        type: 'gauge',
        samples: (['awake', 'weights_offloaded', 'discard_all'] as const).map((s) => ({
          suffix: '',
          labels: { ...l, sleep_state: s },
          value: s === 'awake' ? 1 : 0,
        })),
      },
      gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', state.kvCacheUsage),
      counter(
        'vllm:prefix_cache_queries',
        'Prefix cache queries, in terms of number of queried tokens.',
        this.prefixQueries
      ),
      counter('vllm:prefix_cache_hits', 'Prefix cache hits, in terms of number of cached tokens.', this.prefixHits),
      counter(
        'vllm:external_prefix_cache_queries',
        'External prefix cache queries from KV connector cross-instance cache sharing, in terms of number of queried tokens.',
        this.externalQueries
      ),
      counter(
        'vllm:external_prefix_cache_hits',
        'External prefix cache hits from KV connector cross-instance cache sharing, in terms of number of cached tokens.',
        this.externalHits
      ),
      counter('vllm:num_preemptions', 'Cumulative number of preemption from the engine.', this.preemptions),
      counter('vllm:prompt_tokens', 'Number of prefill tokens processed.', this.promptTokens),
      counter('vllm:generation_tokens', 'Number of generation tokens processed.', this.generationTokens),
      {
        name: 'vllm:request_success',
        help: 'Count of successfully processed requests.',
        type: 'counter',
        samples: (['stop', 'length', 'abort'] as const).map((reason) => ({
          suffix: '_total',
          labels: { ...l, finished_reason: reason },
          value: this.success[reason],
        })),
      },
      hist('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', this.promptTokensPerRequest),
      hist('vllm:request_generation_tokens', 'Number of generation tokens processed.', this.generationTokensPerRequest),
      hist('vllm:iteration_tokens_total', 'Histogram of number of tokens per engine_step.', this.iterationTokens),
      hist(
        'vllm:request_max_num_generation_tokens',
        'Histogram of maximum number of requested generation tokens.',
        this.maxGenerationTokens
      ),
      hist('vllm:request_params_n', 'Histogram of the n request parameter.', this.paramsN),
      hist('vllm:request_params_max_tokens', 'Histogram of the max_tokens request parameter.', this.maxTokensParam),
      hist('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', this.ttft),
      hist('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', this.itl),
      hist(
        'vllm:request_time_per_output_token_seconds',
        'Histogram of time_per_output_token_seconds per request.',
        this.tpot
      ),
      hist('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', this.e2e),
      hist('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', this.queue),
      hist(
        'vllm:request_inference_time_seconds',
        'Histogram of time spent in RUNNING phase for request.',
        this.inference
      ),
      hist('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', this.prefill),
      hist('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', this.decode),
      {
        name: 'vllm:cache_config_info',
        help: 'Information of the LLMEngine CacheConfig',
        type: 'gauge',
        samples: [{ suffix: '', labels: cacheInfo, value: 1 }],
      },
    ];
  }

  render(state: GaugeState): string {
    return renderFamilies(this.families(state));
  }
}
