import { findModel, getGpu, kvBytesPerToken, schedulerDefaults, weightsBytes } from '../../sim/index.js';
import type { EngineTelemetry } from '../../schemas/index.js';
import type { Candidate, Observation } from '../agent/analysis.js';
import type { PerformanceConfig } from './config.js';
import { dominantInstance, maxNumSeqsOf } from './model/capacity.js';
import { riskOf } from './model/money-risk.js';
import { percentile, round } from './model/stats.js';

type Up = Extract<EngineTelemetry, { up: true }>;

/**
 * Batch tuning (vLLM `max-num-seqs`, `max-num-batched-tokens`). Decode is bandwidth-bound: a step
 * reads the weights once plus each running sequence's KV, so ITL(B) = ITL_now × (W + B·s·k) /
 * (W + B_now·s·k), with W the weight bytes, s the observed tokens per sequence and k the KV bytes
 * per token (catalog). Raise the cap when it binds (a queue while the KV cache has room) up to what
 * the KV target and the ITL target allow; lower it when ITL is over target.
 */
export function batchTuning(obs: Observation, cfg: PerformanceConfig): Candidate[] {
  const inst = dominantInstance(obs);
  const model = findModel(obs.spec.model);
  const tpotMs = obs.spec.slo.tpot_mean_ms;
  if (!inst || !model || tpotMs === undefined) return [];
  const since = obs.now - obs.windowMs;
  const ups = obs.engine.filter((s) => s.ts > since && s.data.up).map((s) => s.data as Up);
  const busy = ups.filter((e) => e.requests_running > 0 && e.kv_capacity_tokens !== undefined && e.itl_ms !== null);
  if (busy.length < cfg.saturation.recentPoints) return [];
  const current = maxNumSeqsOf(obs, inst.gpuId);
  const running = percentile(
    busy.map((e) => e.requests_running),
    0.5
  );
  const waiting = percentile(
    ups.map((e) => e.requests_waiting),
    0.5
  );
  const kvUsage = percentile(
    busy.map((e) => e.kv_cache_usage),
    0.5
  );
  const kvCapacity = percentile(
    busy.map((e) => e.kv_capacity_tokens!),
    0.5
  );
  const tokensPerSeq = percentile(
    busy.map((e) => (e.kv_cache_usage * e.kv_capacity_tokens!) / e.requests_running),
    0.5
  );
  const itlNowMs = percentile(
    busy.map((e) => e.itl_ms!.p50),
    0.5
  );
  const w = weightsBytes(model);
  const seqBytes = Math.max(1, tokensPerSeq) * kvBytesPerToken(model);
  const itlAt = (b: number): number => (itlNowMs * (w + b * seqBytes)) / (w + running * seqBytes);
  const itlTarget = tpotMs * cfg.batch.itlTargetShare;
  // largest batch whose predicted ITL meets the target: solve itlAt(b) = itlTarget
  const bItl = Math.floor(((itlTarget * (w + running * seqBytes)) / itlNowMs - w) / seqBytes);
  const bKv = Math.floor((cfg.capacity.kvTarget * kvCapacity) / Math.max(1, tokensPerSeq));
  const capBinds = running >= cfg.batch.capReachedShare * current && waiting >= cfg.batch.waitingPerReplica;
  let proposed: number | undefined;
  let why = '';
  if (capBinds && kvUsage < cfg.capacity.kvTarget) {
    const b = Math.min(bKv, bItl);
    if (b > current) {
      proposed = b;
      why = `max-num-seqs ${current} binds: ${round(waiting)} waiting per replica while the KV cache is ${round(kvUsage * 100, 1)}% full`;
    }
  } else if (itlNowMs > tpotMs && waiting < cfg.batch.waitingPerReplica && bItl >= 1 && bItl < current) {
    proposed = bItl;
    why = `ITL p50 ${round(itlNowMs)} ms is over the ${tpotMs} ms TPOT target at ${round(running)} running`;
  }
  if (proposed === undefined) return [];
  const nodes = obs.inventory.map((n) => n.node).sort();
  const args = obs.engineArgs ?? {};
  const prevSeqs = args[nodes[0] ?? '']?.['max-num-seqs'];
  const prevTokens = args[nodes[0] ?? '']?.['max-num-batched-tokens'];
  const tokensNow =
    typeof prevTokens === 'number' ? prevTokens : schedulerDefaults(getGpu(inst.gpuId)).maxNumBatchedTokens;
  const changes: Record<string, number> = { 'max-num-seqs': proposed };
  const undo: Record<string, number | null> = { 'max-num-seqs': typeof prevSeqs === 'number' ? prevSeqs : null };
  // vLLM refuses max-num-batched-tokens below max-num-seqs
  if (tokensNow < proposed) {
    changes['max-num-batched-tokens'] = proposed;
    undo['max-num-batched-tokens'] = typeof prevTokens === 'number' ? prevTokens : null;
  }
  const windowS = round(obs.windowMs / 1000);
  return [
    {
      strategy: 'performance.batch-tuning',
      action: { kind: 'reconfigure_engine', changes },
      nodes,
      expectedImpact: { usd_per_month: 0 },
      confidence: 0.6,
      // every node restarts its engine with the new flags (the supervisor rolls it out gradually)
      risk: riskOf(1, false, cfg.risk),
      evidence: [
        { metric: 'vllm:num_requests_running per replica p50', value: round(running), window_s: windowS },
        { metric: 'vllm:num_requests_waiting per replica p50', value: round(waiting), window_s: windowS },
        { metric: 'vllm:kv_cache_usage_perc p50', value: round(kvUsage, 3), unit: 'ratio', window_s: windowS },
        { metric: 'KV tokens per running sequence', value: round(tokensPerSeq), unit: 'tokens', window_s: windowS },
        { metric: 'vllm:inter_token_latency_seconds p50', value: round(itlNowMs), unit: 'ms', window_s: windowS },
        {
          metric: 'predicted ITL at new max-num-seqs',
          value: round(itlAt(proposed)),
          unit: 'ms',
          note: `target ${tpotMs} ms`,
        },
        { metric: 'max-num-seqs the KV target allows', value: bKv, note: `KV target ${cfg.capacity.kvTarget}` },
        {
          metric: 'max-num-seqs now',
          value: current,
          note: typeof prevSeqs === 'number' ? 'engine arg' : 'vLLM default',
        },
      ],
      rollback: { kind: 'reconfigure_engine', changes: undo },
      verifyWindowS: cfg.verifyWindowS.engine,
      summary: `Set max-num-seqs ${current} → ${proposed}: ${why}; predicted ITL ${round(itlAt(proposed))} ms.`,
    },
  ];
}
