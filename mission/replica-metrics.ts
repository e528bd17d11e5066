import { parsePrometheusText, type Bucket } from '../gpu-edge/index.js';
import type { FleetInterval } from '../sim/index.js';

/** What one replica's /metrics say at a telemetry boundary (vLLM names). */
export interface ReplicaReading {
  node: string;
  /** `vllm:num_requests_waiting` */
  waiting: number;
  /** `vllm:num_requests_running` */
  running: number;
  /** `vllm:kv_cache_usage_perc` (0–1) */
  kvUsage: number;
  /** `vllm:num_preemptions_total` */
  preemptionsTotal: number;
  /** `vllm:request_time_per_output_token_seconds` buckets, cumulative since start. */
  tpotBuckets: Bucket[];
}

/** Reads every up replica's metrics text; replicas that are down report nothing. */
export function readReplicas(interval: FleetInterval): ReplicaReading[] {
  const out: ReplicaReading[] = [];
  for (const r of interval.replicas) {
    if (!r.up || !r.metricsText) continue;
    const reading: ReplicaReading = {
      node: r.node,
      waiting: 0,
      running: 0,
      kvUsage: 0,
      preemptionsTotal: 0,
      tpotBuckets: [],
    };
    for (const s of parsePrometheusText(r.metricsText).samples) {
      switch (s.name) {
        case 'vllm:num_requests_waiting':
          reading.waiting += s.value;
          break;
        case 'vllm:num_requests_running':
          reading.running += s.value;
          break;
        case 'vllm:kv_cache_usage_perc':
          reading.kvUsage = Math.max(reading.kvUsage, s.value);
          break;
        case 'vllm:num_preemptions_total':
          reading.preemptionsTotal += s.value;
          break;
        case 'vllm:request_time_per_output_token_seconds_bucket': {
          const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
          reading.tpotBuckets.push({ le, count: s.value });
          break;
        }
      }
    }
    out.push(reading);
  }
  return out;
}
