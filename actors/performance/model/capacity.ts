import { checkFits, findModel, getGpu, schedulerDefaults, type ModelSpec } from '../../../sim/index.js';
import type { FleetPoint, Observation } from '../../agent/analysis.js';
import { percentile } from './stats.js';

/**
 * Requests per second one replica serves at saturation, estimated from OBSERVED telemetry:
 * the fleet's throughput divided by the share of its binding resource in use. Shares:
 * compute = (prompt + generated tokens/s) × 2 × active params / (dense bf16 FLOP/s × MFU at
 * saturation); KV = KV-cache usage / KV target; batch = running per replica / max-num-seqs. A
 * window with a standing queue is saturated: its throughput is the capacity itself.
 */
export interface CapacityOptions {
  /** Points of history used, newest last. */
  windowPoints: number;
  /** Model FLOP utilisation at which a replica saturates (prefill and batched decode). */
  mfuAtSaturation: number;
  /** KV-cache usage treated as full. */
  kvTarget: number;
  /** Waiting requests per replica that mark a saturated interval. */
  queuePerReplica: number;
  /** Largest factor a lightly loaded window may be extrapolated by. */
  maxExtrapolation: number;
}

export type Binding = 'compute' | 'kv' | 'batch' | 'saturated';

export interface ReplicaCapacity {
  /** Requests/s per replica at saturation of the binding resource. */
  rpsPerReplica: number;
  observedRpsPerReplica: number;
  /** Share of the binding resource in use (median over the window). */
  loadShare: number;
  binding: Binding;
  computeShare: number;
  kvShare: number;
  batchShare: number;
  /** Points the estimate rests on. */
  points: number;
  gpuId: string;
  gpuCount: number;
  model: ModelSpec;
  maxNumSeqs: number;
}

/** Points with serving replicas and traffic, newest last. */
export function activePoints(obs: Observation, n: number): FleetPoint[] {
  return obs.history.filter((p) => p.replicasUp > 0).slice(-n);
}

/** The fleet's dominant instance (most nodes); capacity is estimated per replica of it. */
export function dominantInstance(
  obs: Observation
): { instanceType: string; gpuId: string; gpuCount: number } | undefined {
  const counts = new Map<string, { n: number; gpuId: string; gpuCount: number }>();
  for (const n of obs.inventory) {
    const c = counts.get(n.instanceType) ?? { n: 0, gpuId: n.gpuType, gpuCount: n.gpuCount };
    c.n++;
    counts.set(n.instanceType, c);
  }
  const best = [...counts.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))[0];
  return best ? { instanceType: best[0], gpuId: best[1].gpuId, gpuCount: best[1].gpuCount } : undefined;
}

/** max-num-seqs the nodes run: the engine arg where known, else vLLM's default for the GPU. */
export function maxNumSeqsOf(obs: Observation, gpuId: string): number {
  const set = Object.values(obs.engineArgs ?? {})
    .map((a) => a['max-num-seqs'])
    .filter((v): v is number => typeof v === 'number');
  return set.length ? Math.min(...set) : schedulerDefaults(getGpu(gpuId)).maxNumSeqs;
}

export function estimateCapacity(obs: Observation, o: CapacityOptions): ReplicaCapacity | undefined {
  const inst = dominantInstance(obs);
  const model = findModel(obs.spec.model);
  if (!inst || !model) return undefined;
  // a mixed fleet's compute is the sum of its nodes' FLOP/s, so the estimate is per average replica
  const fleetFlops = obs.inventory.reduce((a, n) => a + getGpu(n.gpuType).bf16DenseFlops * n.gpuCount, 0);
  const flopsPerReplica = fleetFlops / obs.inventory.length;
  const maxNumSeqs = maxNumSeqsOf(obs, inst.gpuId);
  const pts = activePoints(obs, o.windowPoints).filter((p) => p.requestsPerS > 0);
  if (pts.length === 0) return undefined;
  const est = pts.map((p) => {
    const r = p.replicasUp;
    const compute =
      (((p.promptTokensPerS + p.generationTokensPerS) / r) * 2 * model.paramsActive) /
      (flopsPerReplica * o.mfuAtSaturation);
    const kv = p.kvUsageMean / o.kvTarget;
    const batch = p.running / r / maxNumSeqs;
    const saturated = p.waiting / r >= o.queuePerReplica;
    const share = saturated ? 1 : Math.max(compute, kv, batch, 1 / o.maxExtrapolation);
    return { rps: p.requestsPerS / r, share, compute, kv, batch, saturated };
  });
  const med = (f: (e: (typeof est)[number]) => number): number => percentile(est.map(f), 0.5);
  const rpsPerReplica = med((e) => e.rps / e.share);
  const compute = med((e) => e.compute);
  const kv = med((e) => e.kv);
  const batch = med((e) => e.batch);
  const saturatedShare = est.filter((e) => e.saturated).length / est.length;
  const binding: Binding =
    saturatedShare >= 0.5 ? 'saturated' : compute >= kv && compute >= batch ? 'compute' : kv >= batch ? 'kv' : 'batch';
  return {
    rpsPerReplica,
    observedRpsPerReplica: med((e) => e.rps),
    loadShare: med((e) => e.share),
    binding,
    computeShare: compute,
    kvShare: kv,
    batchShare: batch,
    points: est.length,
    gpuId: inst.gpuId,
    gpuCount: inst.gpuCount,
    model,
    maxNumSeqs,
  };
}

/** KV capacity (tokens) a replica of `gpuCount` × `gpuId` would get for the model; undefined if it does not fit. */
export function kvCapacityTokens(model: ModelSpec, gpuId: string, gpuCount: number): number | undefined {
  if (model.numAttentionHeads % gpuCount !== 0) return undefined;
  const fit = checkFits({ gpu: getGpu(gpuId), model, tensorParallelSize: gpuCount });
  return fit.fits ? fit.plan.kvCapacityTokens : undefined;
}

export interface ScaledCapacity {
  rpsPerReplica: number;
  /** Factors applied: FLOP/s for prefill and batched compute, KV tokens for the cache, HBM bandwidth for decode. */
  flopsRatio: number;
  kvRatio: number;
  bandwidthRatio: number;
}

/**
 * Capacity of one replica on another instance shape, from the observed one: the compute share
 * scales by FLOP/s (prefill and batched decode), the KV share by KV capacity (catalog memory
 * plan) and, with the batch share, by HBM bandwidth (decode); the caller checks latencies.
 */
export function scaleCapacity(cap: ReplicaCapacity, gpuId: string, gpuCount: number): ScaledCapacity | undefined {
  const from = getGpu(cap.gpuId);
  const to = getGpu(gpuId);
  const kvFrom = kvCapacityTokens(cap.model, cap.gpuId, cap.gpuCount);
  const kvTo = kvCapacityTokens(cap.model, gpuId, gpuCount);
  if (!kvFrom || !kvTo) return undefined;
  const flopsRatio = (to.bf16DenseFlops * gpuCount) / (from.bf16DenseFlops * cap.gpuCount);
  const kvRatio = kvTo / kvFrom;
  const bandwidthRatio = (to.hbmBytesPerSec * gpuCount) / (from.hbmBytesPerSec * cap.gpuCount);
  // decode runs at the bandwidth ratio, so each request stays longer: by Little's law the KV and
  // the batch it holds grow by the inverse ratio (the batch against the new type's max-num-seqs)
  const seqsTo = schedulerDefaults(to).maxNumSeqs;
  const share =
    cap.binding === 'saturated'
      ? 1 / Math.min(flopsRatio, kvRatio * bandwidthRatio)
      : Math.max(
          cap.computeShare / flopsRatio,
          cap.kvShare / (kvRatio * bandwidthRatio),
          (cap.batchShare * cap.maxNumSeqs) / (seqsTo * bandwidthRatio)
        );
  const base = cap.binding === 'saturated' ? cap.rpsPerReplica : cap.observedRpsPerReplica;
  return { rpsPerReplica: base / Math.max(share, 1e-9), flopsRatio, kvRatio, bandwidthRatio };
}
