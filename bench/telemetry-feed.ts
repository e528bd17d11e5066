import type { Bus } from '../bus/index.js';
import { encodeEnvelope, makeEnvelope } from '../bus/index.js';
import { gpuTelemetryV1, subjects, type GpuTelemetry } from '../schemas/index.js';

/** Epoch of the feed's event time: sample k of every workload is stamped FEED_T0 + k seconds. */
const FEED_T0 = Date.parse('2026-11-24T12:00:00Z');
const H100_MIB = 81_559;
const IDLE_W = 70;
const TDP_W = 700;

export interface FeedMessage {
  subject: string;
  id: string;
  bytes: Uint8Array;
}

export const workloadName = (i: number): string => `wl-${String(i).padStart(5, '0')}`;

/**
 * One nvidia-smi sample of a one-H100 node serving workload `w` at second `k`. vLLM preallocates
 * ~90% of memory for the KV cache, so memory stays flat while utilization moves; board power
 * follows utilization between idle and the 700 W limit, and the die warms with it.
 */
export function gpuSample(w: number, k: number): GpuTelemetry {
  const phase = ((w * 7919 + k * 104_729) % 1000) / 1000;
  const util = Math.round(30 + 70 * phase);
  const power = IDLE_W + (TDP_W - IDLE_W) * (util / 100);
  return {
    node: `node-${String(w).padStart(5, '0')}`,
    workload: workloadName(w),
    gpus: [
      {
        index: 0,
        uuid: `GPU-${String(w).padStart(8, '0')}-0000-4000-8000-000000000000`,
        name: 'NVIDIA H100 80GB HBM3',
        memory_used_mib: Math.round(0.9 * H100_MIB) + (k % 7) * 16,
        memory_total_mib: H100_MIB,
        util_pct: util,
        mem_util_pct: Math.round(util * 0.4),
        power_w: Math.round(power * 100) / 100,
        power_limit_w: TDP_W,
        sm_clock_mhz: util > 90 ? 1755 : 1980,
        mem_clock_mhz: 2619,
        temp_c: Math.round(35 + 30 * (util / 100)),
        ecc_uncorrected: 0,
        mig_mode: 'disabled',
        pstate: 'P0',
      },
    ],
  };
}

/**
 * The feed, validated and encoded up front: one sample per workload per second of event time,
 * second by second (all workloads' sample k before any sample k + 1).
 */
export function buildFeed(workloads: number, samples: number): FeedMessage[] {
  const out: FeedMessage[] = [];
  for (let k = 0; k < samples; k++) {
    for (let w = 0; w < workloads; w++) {
      const data = gpuSample(w, k);
      const env = makeEnvelope(gpuTelemetryV1, data, { source: 'bench-feed', ts: new Date(FEED_T0 + k * 1000) });
      out.push({ subject: subjects.tel('gpu', data.workload, data.node), id: env.id, bytes: encodeEnvelope(env) });
    }
  }
  return out;
}

/** Publishes the feed with acks, `window` in flight; returns the wall time, ms. */
export async function publishFeed(
  bus: Bus,
  feed: readonly FeedMessage[],
  onProgress?: (published: number) => void,
  window = 512
): Promise<number> {
  const t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < feed.length; i++) {
    const m = feed[i]!;
    inflight.push(bus.js.publish(m.subject, m.bytes, { msgID: m.id }));
    if (inflight.length >= window) {
      await Promise.all(inflight.splice(0));
      if (onProgress && i % 10_000 < window) onProgress(i + 1);
    }
  }
  await Promise.all(inflight);
  return performance.now() - t0;
}
