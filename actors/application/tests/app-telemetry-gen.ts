/**
 * The simulator has no application-log publisher, so tests make app telemetry the way a gateway
 * would: from the trace's requests, one window at a time, per request type (the trace's task
 * class), with token stats, the >5000-in/<100-out count, repeated prefixes from the trace's
 * prefix hashes (tier 2) and quality scores drawn per request from the simulator's quality model.
 */
import type { AppTelemetryT1, AppTelemetryT2, AppTierTelemetry, TokenStats } from '../../../schemas/index.js';
import { createQualityModel, type ModelId, type SimRequest, type TaskClass } from '../../../sim/index.js';
import type { Sample } from '../../agent/analysis.js';

export interface AppGenOptions {
  workload: string;
  /** Event time of trace second 0, ms. */
  startMs: number;
  windowS: number;
  tier: 1 | 2;
  /** Model reported per request type (default: `model`). */
  model: string;
  modelByType?: Record<string, string>;
  /** Score requests with the simulator's quality model: the model it uses, and a switch at a time. */
  quality?: {
    model: ModelId;
    seed: number;
    /** From this trace second on, requests are served (and scored) by another model / KV precision. */
    change?: { atSec: number; model?: ModelId; kvCacheDtype?: 'auto' | 'fp8' };
    /** Share of requests the evaluator scores. */
    sampleShare?: number;
  };
  /** Per request type RAG aggregates to report at tier 2. */
  rag?: Record<string, { docs: number; relevance: number; chunkTokens: number }>;
}

function stats(xs: number[]): TokenStats {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / s.length);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { mean, sd, p50: q(0.5), p95: q(0.95), max: s.at(-1)! };
}

/** One app telemetry sample per window that saw requests, stamped at the window's end. */
export function appTelemetryFromTrace(trace: readonly SimRequest[], o: AppGenOptions): Sample<AppTierTelemetry>[] {
  const quality = o.quality ? createQualityModel({ seed: o.quality.seed }) : undefined;
  const byWindow = new Map<number, SimRequest[]>();
  for (const r of trace) {
    const w = Math.floor(r.arrivalSec / o.windowS);
    byWindow.set(w, [...(byWindow.get(w) ?? []), r]);
  }
  const seenPrefixes = new Set<number>();
  const out: Sample<AppTierTelemetry>[] = [];
  for (const [w, reqs] of [...byWindow].sort(([a], [b]) => a - b)) {
    const byType = new Map<string, SimRequest[]>();
    for (const r of reqs) byType.set(r.taskClass ?? 'default', [...(byType.get(r.taskClass ?? 'default') ?? []), r]);
    const rows: AppTelemetryT2['by_request_type'] = [];
    for (const [type, rs] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
      let repeated = 0;
      let repeatedTokens = 0;
      for (const r of rs) {
        const hashes = r.prefixHashes ?? [];
        // leading 512-token blocks an earlier request already sent
        let k = 0;
        while (k < hashes.length && seenPrefixes.has(hashes[k]!)) k++;
        if (k > 0) {
          repeated++;
          repeatedTokens += 512 * k;
        }
        for (const h of hashes) seenPrefixes.add(h);
      }
      const row: AppTelemetryT1['by_request_type'][number] = {
        request_type: type,
        model: o.modelByType?.[type] ?? o.model,
        requests: rs.length,
        errors: {},
        input_tokens: stats(rs.map((r) => r.promptTokens)),
        output_tokens: stats(rs.map((r) => r.outputTokens)),
        latency_ms: null,
        long_input_short_output: rs.filter((r) => r.promptTokens > 5000 && r.outputTokens < 100).length,
      };
      if (quality && o.quality) {
        const scored = rs.filter((_, i) => i % Math.round(1 / (o.quality!.sampleShare ?? 0.1)) === 0);
        const scores = scored.map((r) => {
          const after = o.quality!.change && r.arrivalSec >= o.quality!.change.atSec;
          const model = (after ? o.quality!.change!.model : undefined) ?? o.quality!.model;
          const kv = after ? o.quality!.change!.kvCacheDtype : undefined;
          return quality.sample(model, type as TaskClass, kv ? { kvCacheDtype: kv } : {});
        });
        if (scores.length > 0) {
          row.quality_score = scores.reduce((a, b) => a + b, 0) / scores.length;
          row.quality_scored = scores.length;
        }
      }
      if (o.tier === 2) {
        const rag = o.rag?.[type];
        rows.push({
          ...row,
          prefix_reuse: {
            repeated_share: repeated / rs.length,
            repeated_tokens_mean: repeated ? repeatedTokens / repeated : 0,
          },
          ...(rag
            ? {
                rag: {
                  requests: rs.length,
                  docs_per_request_mean: rag.docs,
                  relevance_score_mean: rag.relevance,
                  chunk_tokens_mean: rag.chunkTokens,
                },
              }
            : {}),
        });
      } else rows.push(row);
    }
    const base = { node: 'gw-1', workload: o.workload, window_s: o.windowS };
    const data: AppTierTelemetry =
      o.tier === 2
        ? { ...base, privacy_tier: 2, by_request_type: rows }
        : { ...base, privacy_tier: 1, by_request_type: rows };
    out.push({ ts: o.startMs + (w + 1) * o.windowS * 1000 - 1, data });
  }
  return out;
}
