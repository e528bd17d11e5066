/**
 * What the router reads from a replica's engine; the simulated engine and the vLLM adapter implement it.
 * Names follow vLLM's Prometheus metrics. A routed request must count as waiting at once.
 */
export interface ReplicaLoad {
  /** `vllm:num_requests_running`. */
  numRequestsRunning(): number;
  /** `vllm:num_requests_waiting`. */
  numRequestsWaiting(): number;
  /** `vllm:kv_cache_usage_perc` (was `gpu_cache_usage_perc`), a fraction in [0, 1]; only `kv_aware` reads it. */
  kvCacheUsage?(): number;
}

export function queueLength(load: ReplicaLoad): number {
  return load.numRequestsRunning() + load.numRequestsWaiting();
}
