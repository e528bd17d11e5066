import type { AppRequestTypeStats } from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';

/** A token distribution as far as the source reports it (tier 1+ reports all of it; v1 only some). */
export interface TokenView {
  mean: number;
  sd: number | null;
  p95: number | null;
  max: number | null;
}

/** One request type of one app telemetry window, whichever schema it came in. */
export interface AppRow {
  ts: number;
  node: string;
  /** The tier the data may be used at: the lower of the message's tier and the workload's. */
  tier: 1 | 2 | 3;
  windowS: number;
  requestType: string;
  model: string;
  requests: number;
  failed: number;
  errors: Record<string, number>;
  input: TokenView;
  output: TokenView;
  latencyP95Ms: number | null;
  longInputShortOutput: number | null;
  quality: number | null;
  qualityScored: number | null;
  /** Tier ≥ 2 only (null below). */
  promptPatterns: Record<string, number> | null;
  rag: { requests: number; docsPerRequestMean: number; relevanceScoreMean: number; chunkTokensMean: number } | null;
  prefixReuse: { repeatedShare: number; repeatedTokensMean: number } | null;
}

const tierOf = (t: number): 1 | 2 | 3 => (t >= 3 ? 3 : t >= 2 ? 2 : 1);

/**
 * The app telemetry of the window as rows, oldest first: `oi.tel.app.t{1,2,3}.v1` as they come
 * (their request types), `oi.tel.app.v1` as one `default` row. Aggregates above the workload's
 * privacy tier are dropped here, so no analyzer can use them by mistake.
 */
export function appRows(obs: Observation, opts: { sinceMs?: number } = {}): AppRow[] {
  const since = opts.sinceMs ?? obs.now - obs.windowMs;
  const allowed = obs.spec.privacy_tier;
  const rows: AppRow[] = [];
  for (const s of obs.appTiers ?? []) {
    if (s.ts <= since || s.data.workload !== obs.workload) continue;
    const tier = tierOf(Math.min(allowed, s.data.privacy_tier));
    for (const r of s.data.by_request_type) {
      // below tier 2 the aggregates are never read, whatever the message carried
      const agg = tier >= 2 ? (r as AppRequestTypeStats) : undefined;
      const failed = Object.values(r.errors).reduce((a, b) => a + (b ?? 0), 0);
      rows.push({
        ts: s.ts,
        node: s.data.node,
        tier,
        windowS: s.data.window_s,
        requestType: r.request_type,
        model: r.model,
        requests: r.requests,
        failed,
        errors: Object.fromEntries(Object.entries(r.errors).map(([k, v]) => [k, v ?? 0])),
        input: { mean: r.input_tokens.mean, sd: r.input_tokens.sd, p95: r.input_tokens.p95, max: r.input_tokens.max },
        output: {
          mean: r.output_tokens.mean,
          sd: r.output_tokens.sd,
          p95: r.output_tokens.p95,
          max: r.output_tokens.max,
        },
        latencyP95Ms: r.latency_ms?.p95 ?? null,
        longInputShortOutput: r.long_input_short_output ?? null,
        quality: r.quality_score ?? null,
        qualityScored: r.quality_scored ?? null,
        promptPatterns: tier >= 2 ? (agg?.prompt_patterns ?? null) : null,
        rag:
          tier >= 2 && agg?.rag
            ? {
                requests: agg.rag.requests,
                docsPerRequestMean: agg.rag.docs_per_request_mean,
                relevanceScoreMean: agg.rag.relevance_score_mean,
                chunkTokensMean: agg.rag.chunk_tokens_mean,
              }
            : null,
        prefixReuse:
          tier >= 2 && agg?.prefix_reuse
            ? {
                repeatedShare: agg.prefix_reuse.repeated_share,
                repeatedTokensMean: agg.prefix_reuse.repeated_tokens_mean,
              }
            : null,
      });
    }
  }
  for (const s of obs.app) {
    if (s.ts <= since || s.data.workload !== obs.workload) continue;
    const d = s.data;
    const n = Math.max(1, d.requests_total);
    rows.push({
      ts: s.ts,
      node: d.node,
      tier: tierOf(Math.min(allowed, d.privacy_tier)),
      windowS: d.window_s,
      requestType: 'default',
      model: d.model,
      requests: d.requests_total,
      failed: d.requests_failed,
      errors: d.requests_failed > 0 ? { other: d.requests_failed } : {},
      input: { mean: d.tokens_in / n, sd: null, p95: d.input_tokens_p95 ?? null, max: null },
      output: { mean: d.tokens_out / n, sd: null, p95: null, max: null },
      latencyP95Ms: d.latency_ms?.p95 ?? null,
      longInputShortOutput: d.long_input_short_output ?? null,
      quality: d.quality_score ?? null,
      qualityScored: null,
      promptPatterns: null,
      rag: null,
      prefixReuse: null,
    });
  }
  return rows.sort((a, b) => a.ts - b.ts);
}

/** Rows of one request type (over windows and models) merged into request-weighted figures. */
export interface RequestTypeSummary {
  requestType: string;
  requests: number;
  failed: number;
  errors: Record<string, number>;
  windowS: number;
  inputMean: number;
  outputMean: number;
  /** Pooled standard deviation of input tokens; null when a source did not report it. */
  inputSd: number | null;
  /** Highest p95 and max over the windows. */
  inputP95: number | null;
  inputMax: number | null;
  outputP95: number | null;
  longInputShortOutput: number | null;
  /** Requests per model. */
  models: Record<string, number>;
}

export function summarizeByRequestType(rows: readonly AppRow[]): RequestTypeSummary[] {
  const by = new Map<string, AppRow[]>();
  for (const r of rows) by.set(r.requestType, [...(by.get(r.requestType) ?? []), r]);
  const windowS = sumWindowS(rows);
  const out: RequestTypeSummary[] = [];
  for (const [requestType, rs] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    const requests = rs.reduce((a, r) => a + r.requests, 0);
    const w = (f: (r: AppRow) => number): number =>
      requests === 0 ? 0 : rs.reduce((a, r) => a + f(r) * r.requests, 0) / requests;
    const inputMean = w((r) => r.input.mean);
    const hasSd = rs.every((r) => r.input.sd !== null);
    // pooled variance: E[x²] − E[x]², from each window's mean and sd
    const inputSd = hasSd
      ? Math.sqrt(Math.max(0, w((r) => r.input.sd! ** 2 + r.input.mean ** 2) - inputMean ** 2))
      : null;
    const maxOf = (f: (r: AppRow) => number | null): number | null =>
      rs.reduce<number | null>((a, r) => (f(r) === null ? a : Math.max(a ?? 0, f(r)!)), null);
    const errors: Record<string, number> = {};
    const models: Record<string, number> = {};
    for (const r of rs) {
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
      models[r.model] = (models[r.model] ?? 0) + r.requests;
    }
    const lisoKnown = rs.some((r) => r.longInputShortOutput !== null);
    out.push({
      requestType,
      requests,
      failed: rs.reduce((a, r) => a + r.failed, 0),
      errors,
      windowS,
      inputMean,
      outputMean: w((r) => r.output.mean),
      inputSd,
      inputP95: maxOf((r) => r.input.p95),
      inputMax: maxOf((r) => r.input.max),
      outputP95: maxOf((r) => r.output.p95),
      longInputShortOutput: lisoKnown ? rs.reduce((a, r) => a + (r.longInputShortOutput ?? 0), 0) : null,
      models,
    });
  }
  return out;
}

/** Seconds of traffic the rows cover: each shipper's windows add up, shippers overlap. */
function sumWindowS(rows: readonly AppRow[]): number {
  const perNode = new Map<string, Set<number>>();
  const lengths = new Map<string, number>();
  for (const r of rows) {
    const set = perNode.get(r.node) ?? new Set<number>();
    if (!set.has(r.ts)) lengths.set(r.node, (lengths.get(r.node) ?? 0) + r.windowS);
    set.add(r.ts);
    perNode.set(r.node, set);
  }
  return Math.max(0, ...lengths.values());
}

/** Context tokens requests need: for sizing `--max-model-len`. */
export interface ContextStats {
  /** Largest over request types of input p95 + output p95 (output mean where p95 is not reported). */
  contextP95: number;
  /** Largest request seen: input max (p95 where not reported) + output p95. */
  contextMax: number;
  windowS: number;
}

export function appContextStats(obs: Observation): ContextStats | undefined {
  const types = summarizeByRequestType(appRows(obs)).filter((t) => t.inputP95 !== null && t.requests > 0);
  if (types.length === 0) return undefined;
  const out = (t: RequestTypeSummary): number => t.outputP95 ?? Math.ceil(t.outputMean);
  return {
    contextP95: Math.max(...types.map((t) => t.inputP95! + out(t))),
    contextMax: Math.max(...types.map((t) => (t.inputMax ?? t.inputP95!) + out(t))),
    windowS: types[0]!.windowS,
  };
}
