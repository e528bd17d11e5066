import type { EvidenceItem } from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';
import { routingOptionOf, type ApplicationConfig } from './application-config.js';
import { appRows, summarizeByRequestType, type AppRow, type RequestTypeSummary } from './app-rows.js';

/**
 * Something the application itself should change (its prompts, its retriever): no executor can
 * apply it, so it is reported with its numbers instead of proposed as an action.
 */
export interface ApplicationFinding {
  strategy: 'application.token-efficiency' | 'application.rag';
  kind:
    | 'excessive_input_tokens'
    | 'long_input_short_output'
    | 'high_token_variance'
    | 'rag_retrieval_count'
    | 'rag_chunk_size';
  requestType: string;
  /** Input tokens a month the change would save; null when it cannot be estimated. */
  tokensPerMonth: number | null;
  /** What those tokens cost at the serving model's price; null when the model is not in the matrix. */
  usdPerMonth: number | null;
  evidence: EvidenceItem[];
  summary: string;
}

const perMonth = (x: number, windowS: number, cfg: ApplicationConfig): number =>
  windowS > 0 ? (x * cfg.hoursPerMonth * 3600) / windowS : 0;

function usdOf(t: RequestTypeSummary, tokensPerMonth: number, cfg: ApplicationConfig): number | null {
  let usd = 0;
  for (const [model, n] of Object.entries(t.models)) {
    const o = routingOptionOf(cfg, model);
    if (!o) return null;
    usd += ((tokensPerMonth * n) / Math.max(1, t.requests) / 1000) * o.usdPer1kTokens;
  }
  return Math.round(usd * 100) / 100;
}

/** Seed 000 §9.4.1 on tier-1 data: long inputs with short outputs, and unstable prompt lengths. */
export function tokenEfficiencyFindings(obs: Observation, cfg: ApplicationConfig): ApplicationFinding[] {
  const out: ApplicationFinding[] = [];
  for (const t of summarizeByRequestType(appRows(obs))) {
    if (t.requests < cfg.minRequests) continue;
    const base: EvidenceItem[] = [
      { metric: 'requests', value: t.requests, window_s: t.windowS },
      { metric: 'input tokens mean', value: Math.round(t.inputMean) },
      { metric: 'output tokens mean', value: Math.round(t.outputMean) },
    ];
    if (t.inputMean > cfg.longInputMeanTokens && t.outputMean < cfg.shortOutputMeanTokens) {
      // seed 000 §9.4.1 rule of thumb: an input needs about twice the output
      const waste = t.inputMean - 2 * t.outputMean;
      const tokens = Math.round(perMonth(waste * t.requests, t.windowS, cfg));
      out.push({
        strategy: 'application.token-efficiency',
        kind: 'excessive_input_tokens',
        requestType: t.requestType,
        tokensPerMonth: tokens,
        usdPerMonth: usdOf(t, tokens, cfg),
        evidence: [...base, { metric: 'input tokens beyond 2 × output, per request', value: Math.round(waste) }],
        summary:
          `${t.requestType}: ${Math.round(t.inputMean)} tokens in for ${Math.round(t.outputMean)} out on average; ` +
          `trimming context or instructions could save ~${tokens} input tokens a month.`,
      });
    }
    if (
      t.longInputShortOutput !== null &&
      t.longInputShortOutput / Math.max(1, t.requests) >= cfg.longInputShortOutputShare
    ) {
      const share = t.longInputShortOutput / t.requests;
      out.push({
        strategy: 'application.token-efficiency',
        kind: 'long_input_short_output',
        requestType: t.requestType,
        tokensPerMonth: null,
        usdPerMonth: null,
        evidence: [
          ...base,
          {
            metric: 'requests with > 5000 in and < 100 out',
            value: t.longInputShortOutput,
            note: `${(share * 100).toFixed(1)}%`,
          },
        ],
        summary: `${t.requestType}: ${(share * 100).toFixed(1)}% of requests send > 5000 tokens for < 100 back; check for unneeded context.`,
      });
    }
    if (t.inputSd !== null && t.inputMean > 0 && t.inputSd / t.inputMean > cfg.inputTokenCv) {
      out.push({
        strategy: 'application.token-efficiency',
        kind: 'high_token_variance',
        requestType: t.requestType,
        tokensPerMonth: null,
        usdPerMonth: null,
        evidence: [
          ...base,
          { metric: 'input tokens sd / mean', value: Math.round((t.inputSd / t.inputMean) * 100) / 100 },
        ],
        summary: `${t.requestType}: input length varies ${(t.inputSd / t.inputMean).toFixed(2)}× its mean; standardise prompt templates.`,
      });
    }
  }
  return out;
}

/** Seed 000 §9.4.4, tier ≥ 2 only: fewer documents when relevance is low, smaller chunks when they are large. */
export function ragFindings(obs: Observation, cfg: ApplicationConfig): ApplicationFinding[] {
  const rows = appRows(obs).filter(
    (r): r is AppRow & { rag: NonNullable<AppRow['rag']> } => r.tier >= 2 && r.rag !== null
  );
  const by = new Map<string, Array<AppRow & { rag: NonNullable<AppRow['rag']> }>>();
  for (const r of rows) by.set(r.requestType, [...(by.get(r.requestType) ?? []), r]);
  const out: ApplicationFinding[] = [];
  for (const [requestType, rs] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
    const n = rs.reduce((a, r) => a + r.rag.requests, 0);
    if (n < cfg.minRequests) continue;
    const w = (f: (r: (typeof rs)[number]) => number): number => rs.reduce((a, r) => a + f(r) * r.rag.requests, 0) / n;
    const docs = w((r) => r.rag.docsPerRequestMean);
    const relevance = w((r) => r.rag.relevanceScoreMean);
    const chunk = w((r) => r.rag.chunkTokensMean);
    const windowS = summarizeByRequestType(rs)[0]?.windowS ?? 0;
    const evidence: EvidenceItem[] = [
      { metric: 'RAG requests', value: n, window_s: windowS },
      { metric: 'documents per request', value: Math.round(docs * 10) / 10 },
      { metric: 'relevance score mean', value: Math.round(relevance * 1000) / 1000 },
      { metric: 'chunk tokens mean', value: Math.round(chunk) },
    ];
    if (docs > cfg.ragMaxDocs && relevance < cfg.ragMinRelevance) {
      const tokens = Math.round(perMonth((docs - cfg.ragRecommendedDocs) * chunk * n, windowS, cfg));
      out.push({
        strategy: 'application.rag',
        kind: 'rag_retrieval_count',
        requestType,
        tokensPerMonth: tokens,
        usdPerMonth: null,
        evidence,
        summary:
          `${requestType}: ${docs.toFixed(1)} documents per request at relevance ${relevance.toFixed(2)}; retrieving ` +
          `${cfg.ragRecommendedDocs} would drop ~${tokens} context tokens a month of mostly noise.`,
      });
    }
    if (chunk > cfg.ragMaxChunkTokens) {
      const tokens = Math.round(
        perMonth((chunk - cfg.ragRecommendedChunkTokens) * Math.min(docs, cfg.ragRecommendedDocs) * n, windowS, cfg)
      );
      out.push({
        strategy: 'application.rag',
        kind: 'rag_chunk_size',
        requestType,
        tokensPerMonth: tokens,
        usdPerMonth: null,
        evidence,
        summary: `${requestType}: chunks average ${Math.round(chunk)} tokens; ${cfg.ragRecommendedChunkTokens}-token chunks cut context use.`,
      });
    }
  }
  return out;
}
