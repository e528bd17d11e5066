/**
 * Thresholds and the model routing matrix of the application agent, each default with its
 * source; ASSUMED marks judgement calls an operator may tune.
 */

/** One model the router may send a task class to: its price and quality per task class. */
export interface RoutingOption {
  model: string;
  /** Other names the model is reported under (served model name, repository). */
  aliases?: readonly string[];
  usdPer1kTokens: number;
  /** Quality score (0–1) per task class; `default` applies to classes not listed. */
  quality: Readonly<Record<string, number>>;
  source: string;
}

export interface ApplicationConfig {
  /** Seed 000 §9.4.1: long inputs with short outputs. */
  longInputMeanTokens: number;
  shortOutputMeanTokens: number;
  /** Share of requests with > 5000 in and < 100 out that is worth a finding. */
  longInputShortOutputShare: number;
  /** Input-token coefficient of variation (sd / mean) above which templates look unstandardised. */
  inputTokenCv: number;
  /** Context right-sizing: p95 × margin (seed 000 §9.4.2), act on > minCut savings. */
  contextMargin: number;
  contextMinCut: number;
  contextRoundTokens: number;
  /** Requests a request type needs in the window before it is judged. */
  minRequests: number;
  /** Model routing matrix (seed 004 §2.1) and the quality each task class needs. */
  routing: readonly RoutingOption[];
  minQualityByTaskClass: Readonly<Record<string, number>>;
  /** Routing changes must save at least this much a month to be proposed. */
  minRoutingSavingsUsdPerMonth: number;
  /** Caching: repeated-prefix share and length that make prefix caching pay. */
  prefixRepeatedShare: number;
  prefixRepeatedTokens: number;
  /** RAG (seed 000 §9.4.4): too many documents with low relevance, or large chunks. */
  ragMaxDocs: number;
  ragMinRelevance: number;
  ragRecommendedDocs: number;
  ragMaxChunkTokens: number;
  ragRecommendedChunkTokens: number;
  /** Quality regression: relative drop that triggers a rollback (issue #9: default 5%), per workload overrides. */
  qualityDropThreshold: number;
  qualityDropThresholdByWorkload: Readonly<Record<string, number>>;
  /** One-sided Welch's t-test level. */
  qualityAlpha: number;
  /** Windows needed on each side of a change, and the baseline's length. */
  qualityMinWindows: number;
  qualityBaselineWindows: number;
  verifyWindowS: number;
  hoursPerMonth: number;
}

const SEED_004 = 'seed 004 §2.1 cost/performance matrix';
const SIM_QUALITY =
  'sim/engine/quality-model.ts QUALITY_MATRIX (ASSUMED, anchored on seed 004’s 0.55 for Llama 3.1-8B)';

export const DEFAULT_ROUTING: readonly RoutingOption[] = [
  { model: 'claude-opus-4-1', usdPer1kTokens: 0.09, quality: { default: 0.95 }, source: SEED_004 },
  { model: 'claude-sonnet-4', usdPer1kTokens: 0.018, quality: { default: 0.85 }, source: SEED_004 },
  { model: 'gpt-4o', usdPer1kTokens: 0.035, quality: { default: 0.8 }, source: SEED_004 },
  { model: 'gpt-4o-mini', usdPer1kTokens: 0.00075, quality: { default: 0.7 }, source: SEED_004 },
  { model: 'claude-haiku-3', usdPer1kTokens: 0.00175, quality: { default: 0.6 }, source: SEED_004 },
  {
    model: 'llama-3.1-8b',
    aliases: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    usdPer1kTokens: 0,
    quality: { reasoning: 0.45, code: 0.5, chat: 0.55, summarization: 0.6, classification: 0.65, default: 0.55 },
    source: `${SEED_004} (price: local, $0.000); per-class quality: ${SIM_QUALITY}`,
  },
];

export const DEFAULT_APPLICATION_CONFIG: ApplicationConfig = {
  longInputMeanTokens: 3000,
  shortOutputMeanTokens: 500,
  longInputShortOutputShare: 0.05,
  inputTokenCv: 1,
  contextMargin: 1.1,
  contextMinCut: 0.2,
  contextRoundTokens: 1024,
  minRequests: 50,
  routing: DEFAULT_ROUTING,
  minQualityByTaskClass: {
    reasoning: 0.95,
    code: 0.85,
    chat: 0.8,
    summarization: 0.6,
    classification: 0.6,
  },
  minRoutingSavingsUsdPerMonth: 100,
  prefixRepeatedShare: 0.3,
  prefixRepeatedTokens: 512,
  ragMaxDocs: 10,
  ragMinRelevance: 0.7,
  ragRecommendedDocs: 5,
  ragMaxChunkTokens: 1000,
  ragRecommendedChunkTokens: 512,
  qualityDropThreshold: 0.05,
  qualityDropThresholdByWorkload: {},
  qualityAlpha: 0.05,
  qualityMinWindows: 3,
  qualityBaselineWindows: 12,
  verifyWindowS: 1800,
  hoursPerMonth: 730,
};

export const APPLICATION_CONFIG_SOURCES: Record<keyof ApplicationConfig, string> = {
  longInputMeanTokens: 'seed 000 §9.4.1: avg input > 3000 tokens',
  shortOutputMeanTokens: 'seed 000 §9.4.1: avg output < 500 tokens',
  longInputShortOutputShare: 'ASSUMED: one request in 20 with > 5000 in and < 100 out (seed 000 §9.3.1 pattern 1)',
  inputTokenCv:
    'ASSUMED: seed 000 §9.4.1 flags variance > 1000 tokens², which every real workload exceeds; sd above the mean is the scale-free version',
  contextMargin: 'seed 000 §9.4.2: p95 + 10% buffer',
  contextMinCut: 'seed 000 §9.4.2: act when the recommendation is < 80% of the current context',
  contextRoundTokens: 'ASSUMED: whole KiB-tokens',
  minRequests: 'ASSUMED: fewer requests give a p95 of a handful of samples',
  routing: SEED_004,
  minQualityByTaskClass:
    'seed 004 §2.1 use-case column: the score of the model it names for the class (complex reasoning → Opus 0.95, code → Sonnet 0.85, general purpose → GPT-4o 0.80, summarization/classification → Haiku 0.60)',
  minRoutingSavingsUsdPerMonth: 'ASSUMED: below $100 a month a routing change is not worth its risk',
  prefixRepeatedShare: 'ASSUMED: a third of requests sharing a prefix makes caching visible in TTFT',
  prefixRepeatedTokens: 'one 512-token block, the unit of seed traces’ prefix hashes (Mooncake hash_ids)',
  ragMaxDocs: 'seed 000 §9.4.4: more than 10 documents',
  ragMinRelevance: 'seed 000 §9.4.4: relevance below 0.7',
  ragRecommendedDocs: 'seed 000 §9.4.4: recommend 5',
  ragMaxChunkTokens: 'seed 000 §9.4.4: chunks above 1000',
  ragRecommendedChunkTokens: 'seed 000 §9.4.4: recommend 512',
  qualityDropThreshold: 'issue #9: quality drops more than the workload’s threshold (default 5%)',
  qualityDropThresholdByWorkload: 'operator configuration; label `quality-drop-threshold` on the workload wins',
  qualityAlpha: 'ASSUMED: conventional 5% level for a one-sided test',
  qualityMinWindows: 'ASSUMED: three windows per side is the least a t-test can say anything with',
  qualityBaselineWindows: 'ASSUMED: one hour of 5-minute windows',
  verifyWindowS: 'ASSUMED: 30 minutes, six 5-minute quality windows',
  hoursPerMonth: '8760 hours per year / 12',
};

export function applicationConfig(over: Partial<ApplicationConfig> = {}): ApplicationConfig {
  const c = { ...DEFAULT_APPLICATION_CONFIG, ...over };
  if (!(c.qualityDropThreshold > 0 && c.qualityDropThreshold < 1))
    throw new Error(`application config qualityDropThreshold: must be in (0, 1), got ${c.qualityDropThreshold}`);
  if (!(c.qualityAlpha > 0 && c.qualityAlpha < 1))
    throw new Error(`application config qualityAlpha: must be in (0, 1), got ${c.qualityAlpha}`);
  if (c.qualityMinWindows < 2) throw new Error('application config qualityMinWindows: must be ≥ 2');
  for (const [i, r] of c.routing.entries()) {
    if (!(r.usdPer1kTokens >= 0)) throw new Error(`application config routing.${i}.usdPer1kTokens: must be ≥ 0`);
    if (r.quality.default === undefined) throw new Error(`application config routing.${i}.quality: needs a default`);
  }
  return c;
}

/** The routing option a reported model name is, if any. */
export function routingOptionOf(cfg: ApplicationConfig, model: string): RoutingOption | undefined {
  const key = model.toLowerCase();
  return cfg.routing.find((r) => r.model.toLowerCase() === key || r.aliases?.some((a) => a.toLowerCase() === key));
}

export function qualityOf(option: RoutingOption, taskClass: string): number {
  return option.quality[taskClass] ?? option.quality.default!;
}
