import OpenAI from 'openai';
import { z } from 'zod';
import type { Logger } from '../../config/index.js';
import type { Candidate } from './analysis.js';

/** Where the LLM is and what it may spend; absent apiKey ⇒ explanations come from the template. */
export interface LlmConfig {
  /** Any OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or a local vLLM. */
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  /** Tokens (prompt + completion) one workload may spend per UTC day of event time. */
  tokenBudgetPerDay: number;
  /** Prices for the spend figure (seed 004's token-cost tracking), USD per million tokens. */
  usdPerMillionInput: number;
  usdPerMillionOutput: number;
  maxOutputTokens: number;
}

export const DEFAULT_LLM: LlmConfig = {
  model: 'gpt-4o-mini',
  timeoutMs: 20_000,
  maxRetries: 2,
  tokenBudgetPerDay: 200_000,
  // gpt-4o-mini list price (openai.com/api/pricing, 2025): $0.15 in / $0.60 out per 1M tokens
  usdPerMillionInput: 0.15,
  usdPerMillionOutput: 0.6,
  maxOutputTokens: 600,
};

/** What the LLM must answer: text and an order, never numbers the proposal uses. */
export const llmAnswer = z.strictObject({
  explanation: z.string().min(20).max(4000),
  ranking: z.array(z.string().min(1).max(200)).min(1).max(20),
});

/** LLM usage of one workload, kept in the agent's checkpointed state. */
export interface LlmUsage {
  /** UTC day (event time) the counters belong to, `YYYY-MM-DD`. */
  day: string;
  tokensToday: number;
  tokensTotal: number;
  usdTotal: number;
  calls: number;
  rejected: number;
}

export function emptyUsage(): LlmUsage {
  return { day: '', tokensToday: 0, tokensTotal: 0, usdTotal: 0, calls: 0, rejected: 0 };
}

export interface Explanation {
  text: string;
  by: 'llm' | 'template';
  /** Candidate strategies in the LLM's order (the template keeps the analyzers' order). */
  ranking: string[];
  usage: LlmUsage;
  /** Why the LLM was not used or its answer refused, when it was not. */
  fallback?: string;
}

/** The deterministic explanation: what the numbers say, written from the evidence alone. */
export function templateExplanation(agent: string, chosen: Candidate, others: Candidate[]): string {
  const ev = chosen.evidence
    .map(
      (e) => `${e.metric} = ${round(e.value)}${e.unit ? ` ${e.unit}` : ''}${e.window_s ? ` over ${e.window_s} s` : ''}`
    )
    .join('; ');
  const usd = chosen.expectedImpact.usd_per_month;
  const money =
    usd === 0 ? 'no change in spend' : usd < 0 ? `saves $${round(-usd)}/month` : `costs $${round(usd)}/month more`;
  const alt = others.length ? ` Also considered: ${others.map((o) => o.strategy).join(', ')}.` : '';
  return (
    `${agent} agent, ${chosen.strategy}: ${chosen.summary} Expected: ${money}, confidence ${round(chosen.confidence)}, ` +
    `risk ${chosen.risk}. Evidence: ${ev}. Rollback: ${chosen.rollback.kind} if the outcome regresses within ` +
    `${chosen.verifyWindowS} s.${alt}`
  );
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Explains and ranks the analyzers' candidates with an LLM when one is configured and the
 * workload's budget allows; any failure (timeout, bad JSON, unknown strategy) falls back to
 * the template, so a proposal never waits on or depends on the model.
 */
export class Explainer {
  readonly #client: OpenAI | undefined;

  constructor(
    readonly cfg: LlmConfig,
    readonly logger?: Logger
  ) {
    this.#client = cfg.apiKey
      ? new OpenAI({
          apiKey: cfg.apiKey,
          ...(cfg.baseUrl ? { baseURL: cfg.baseUrl } : {}),
          timeout: cfg.timeoutMs,
          maxRetries: cfg.maxRetries,
        })
      : undefined;
  }

  get enabled(): boolean {
    return this.#client !== undefined;
  }

  async explain(
    agent: string,
    workload: string,
    candidates: Candidate[],
    usageIn: LlmUsage,
    nowMs: number
  ): Promise<Explanation> {
    const [chosen, ...others] = candidates;
    if (!chosen) throw new Error('explain needs at least one candidate');
    const day = new Date(nowMs).toISOString().slice(0, 10);
    const usage: LlmUsage = usageIn.day === day ? { ...usageIn } : { ...usageIn, day, tokensToday: 0 };
    const template = (fallback: string): Explanation => ({
      text: templateExplanation(agent, chosen, others),
      by: 'template',
      ranking: candidates.map((c) => c.strategy),
      usage,
      fallback,
    });
    if (!this.#client) return template('no LLM configured (OI_LLM_API_KEY unset)');
    if (usage.tokensToday >= this.cfg.tokenBudgetPerDay) {
      return template(`LLM token budget of ${this.cfg.tokenBudgetPerDay}/day spent for ${workload}`);
    }
    let raw: string;
    try {
      usage.calls++;
      const res = await this.#client.chat.completions.create({
        model: this.cfg.model,
        max_tokens: this.cfg.maxOutputTokens,
        response_format: { type: 'json_object' },
        messages: [
          {
            role: 'system',
            content:
              'You explain infrastructure change candidates for LLM inference fleets to operators. ' +
              'Answer JSON {"explanation": string, "ranking": [strategy names, best first]}. ' +
              'Use only the numbers given; do not invent or change figures.',
          },
          { role: 'user', content: JSON.stringify({ agent, workload, candidates: candidates.map(promptView) }) },
        ],
      });
      const inTok = res.usage?.prompt_tokens ?? 0;
      const outTok = res.usage?.completion_tokens ?? 0;
      usage.tokensToday += inTok + outTok;
      usage.tokensTotal += inTok + outTok;
      usage.usdTotal += (inTok * this.cfg.usdPerMillionInput + outTok * this.cfg.usdPerMillionOutput) / 1e6;
      raw = res.choices[0]?.message?.content ?? '';
    } catch (err) {
      this.logger?.warn({ err, workload }, 'LLM call failed; using the template explanation');
      return template(`LLM call failed: ${(err as Error).message}`);
    }
    const refuse = (why: string): Explanation => {
      usage.rejected++;
      this.logger?.warn({ workload, why }, 'LLM answer refused; using the template explanation');
      return template(`LLM answer refused: ${why}`);
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return refuse('not JSON');
    }
    const r = llmAnswer.safeParse(parsed);
    if (!r.success) {
      return refuse(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    }
    const known = new Set(candidates.map((c) => c.strategy));
    const unknown = r.data.ranking.filter((s) => !known.has(s));
    if (unknown.length) return refuse(`ranking names unknown strategies: ${unknown.join(', ')}`);
    // the LLM orders what it names; anything it left out keeps the analyzers' order after it
    const ranking = [...new Set([...r.data.ranking, ...candidates.map((c) => c.strategy)])];
    return { text: r.data.explanation, by: 'llm', ranking, usage };
  }
}

function promptView(c: Candidate): Record<string, unknown> {
  return {
    strategy: c.strategy,
    action: c.action,
    summary: c.summary,
    expected_impact: c.expectedImpact,
    confidence: c.confidence,
    risk: c.risk,
    evidence: c.evidence,
  };
}
