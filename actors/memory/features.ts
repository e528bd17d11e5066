import type { Observation } from '../agent/analysis.js';

/**
 * The situation of a decision as named raw figures, and their normalised vector. Each feature's
 * scale maps its usual range onto [0, 1] (clipped), so no single unit dominates the L2 distance.
 * The order is the vector's order: never reorder or remove an entry (stored vectors would change
 * meaning); new features go at the end with a new dimension and a migration.
 */
export const FEATURES = [
  { name: 'kv_usage_mean', unit: 'ratio', scale: 'as is' },
  { name: 'kv_usage_max', unit: 'ratio', scale: 'as is' },
  { name: 'preemptions_per_request', unit: 'ratio', scale: '÷ 0.1' },
  { name: 'waiting_per_running', unit: 'ratio', scale: '÷ 2' },
  { name: 'gpu_util_pct', unit: '%', scale: '÷ 100' },
  { name: 'requests_per_s', unit: '1/s', scale: 'log10(1 + x) ÷ 4 (10k/s → 1)' },
  { name: 'prompt_tokens_per_request', unit: 'tokens', scale: 'log2(1 + x) ÷ 17 (128k → 1)' },
  { name: 'output_tokens_per_request', unit: 'tokens', scale: 'log2(1 + x) ÷ 14 (16k → 1)' },
  { name: 'ttft_p95_over_slo', unit: 'ratio', scale: '÷ 2' },
  { name: 'usd_per_hour', unit: 'USD/h', scale: 'log10(1 + x) ÷ 4 ($10k/h → 1)' },
  { name: 'replicas', unit: 'count', scale: 'log2(1 + x) ÷ 10 (1023 → 1)' },
  { name: 'replicas_up_share', unit: 'ratio', scale: 'as is' },
  { name: 'spot_share', unit: 'ratio', scale: 'as is' },
  { name: 'prefix_hit_rate', unit: 'ratio', scale: 'as is' },
  { name: 'quality_score', unit: 'ratio', scale: 'as is' },
  { name: 'hour_of_day', unit: 'h (UTC)', scale: '(1 + cos(2π h / 24)) ÷ 2 (midnight 1, noon 0)' },
] as const;

export type FeatureName = (typeof FEATURES)[number]['name'];
export type SituationFeatures = Record<FeatureName, number>;
export const FEATURE_DIM = FEATURES.length;

const clip = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const log = (x: number, base: 2 | 10, top: number): number =>
  clip((base === 2 ? Math.log2(1 + Math.max(0, x)) : Math.log10(1 + Math.max(0, x))) / top);

const SCALE: Record<FeatureName, (x: number) => number> = {
  kv_usage_mean: clip,
  kv_usage_max: clip,
  preemptions_per_request: (x) => clip(x / 0.1),
  waiting_per_running: (x) => clip(x / 2),
  gpu_util_pct: (x) => clip(x / 100),
  requests_per_s: (x) => log(x, 10, 4),
  prompt_tokens_per_request: (x) => log(x, 2, 17),
  output_tokens_per_request: (x) => log(x, 2, 14),
  ttft_p95_over_slo: (x) => clip(x / 2),
  usd_per_hour: (x) => log(x, 10, 4),
  replicas: (x) => log(x, 2, 10),
  replicas_up_share: clip,
  spot_share: clip,
  prefix_hit_rate: clip,
  quality_score: clip,
  hour_of_day: (h) => (1 + Math.cos((2 * Math.PI * h) / 24)) / 2,
};

/** The normalised vector of a situation; refuses a feature that is missing or not a finite number. */
export function featureVector(f: SituationFeatures): number[] {
  return FEATURES.map(({ name }) => {
    const v = f[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`situation features: ${name} must be a finite number, got ${String(v)}`);
    }
    return SCALE[name](v);
  });
}

export function l2(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));
}

/** Similarity from an L2 distance between normalised vectors: 1 when equal, falling towards 0. */
export const similarityOf = (distance: number): number => 1 / (1 + distance);

const meanOf = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The situation an observation shows, from its latest intervals (up to 30) and windows. */
export function situationOf(obs: Observation): SituationFeatures {
  const pts = obs.history.slice(-30);
  const last = pts.at(-1);
  const requests = pts.reduce((a, p) => a + p.requestsPerS, 0);
  const hits: number[] = [];
  for (const s of obs.engine)
    if (s.data.up && typeof s.data.prefix_cache_hit_rate === 'number') hits.push(s.data.prefix_cache_hit_rate);
  const quality: number[] = [];
  for (const s of obs.app) if (s.data.quality_score !== undefined) quality.push(s.data.quality_score);
  for (const s of obs.appTiers ?? [])
    for (const r of s.data.by_request_type) if (r.quality_score !== undefined) quality.push(r.quality_score);
  const slo = obs.spec.slo.ttft_p95_ms;
  const ttft = last?.ttftP95Ms ?? null;
  const intervalS = pts.length >= 2 ? (pts.at(-1)!.ts - pts[0]!.ts) / 1000 / (pts.length - 1) : 0;
  return {
    kv_usage_mean: meanOf(pts.map((p) => p.kvUsageMean)),
    kv_usage_max: Math.max(0, ...pts.map((p) => p.kvUsageMax)),
    preemptions_per_request:
      requests > 0 && intervalS > 0 ? pts.reduce((a, p) => a + p.preemptions, 0) / (requests * intervalS) : 0,
    waiting_per_running: meanOf(pts.map((p) => p.waiting / Math.max(1, p.running))),
    gpu_util_pct: meanOf(pts.flatMap((p) => (p.gpuUtilPct === null ? [] : [p.gpuUtilPct]))),
    requests_per_s: meanOf(pts.map((p) => p.requestsPerS)),
    prompt_tokens_per_request: requests > 0 ? pts.reduce((a, p) => a + p.promptTokensPerS, 0) / requests : 0,
    output_tokens_per_request: requests > 0 ? pts.reduce((a, p) => a + p.generationTokensPerS, 0) / requests : 0,
    ttft_p95_over_slo: slo && ttft !== null ? ttft / slo : 0,
    usd_per_hour: last?.usdPerHour ?? 0,
    replicas: last?.replicasUp ?? 0,
    replicas_up_share: last && last.replicasSeen > 0 ? last.replicasUp / last.replicasSeen : 0,
    spot_share:
      obs.inventory.length > 0
        ? obs.inventory.filter((i) => i.purchaseOption === 'spot').length / obs.inventory.length
        : 0,
    prefix_hit_rate: meanOf(hits),
    quality_score: meanOf(quality),
    hour_of_day: new Date(obs.now).getUTCHours() + new Date(obs.now).getUTCMinutes() / 60,
  };
}
