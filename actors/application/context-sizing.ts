import type { EvidenceItem } from '../../schemas/index.js';
import type { Candidate, Observation } from '../agent/analysis.js';
import type { ApplicationConfig } from './application-config.js';
import { appRows, summarizeByRequestType } from './app-rows.js';

/**
 * Seed 000 §9.4.2: per request type, the context it needs is input p95 × 1.1 + output p95. The
 * engine has one `--max-model-len`, so the proposal is the largest need over request types, never
 * below the largest request seen (vLLM refuses longer prompts), when that is < 80% of the limit;
 * or a higher limit when requests fail with `context_length` and the KV cache can hold it.
 */
export function contextSizingCandidate(obs: Observation, cfg: ApplicationConfig): Candidate | undefined {
  const limits = [...new Set(Object.values(obs.engineArgs ?? {}).map((a) => a['max-model-len']))];
  if (limits.length !== 1 || typeof limits[0] !== 'number') return undefined;
  const current = limits[0];
  const types = summarizeByRequestType(appRows(obs)).filter(
    (t) => t.requests >= cfg.minRequests && t.inputP95 !== null
  );
  if (types.length === 0) return undefined;
  const evidence: EvidenceItem[] = [];
  let need = 0;
  let largest = 0;
  let contextErrors = 0;
  for (const t of types) {
    const out = t.outputP95 ?? Math.ceil(t.outputMean);
    const typeNeed = Math.ceil(t.inputP95! * cfg.contextMargin + out);
    need = Math.max(need, typeNeed);
    largest = Math.max(largest, (t.inputMax ?? t.inputP95!) + out);
    contextErrors += t.errors.context_length ?? 0;
    evidence.push({
      metric: `${t.requestType}: input p95 × ${cfg.contextMargin} + output p95`,
      value: typeNeed,
      window_s: t.windowS,
      note: `${t.requests} requests, input p95 ${t.inputP95}, max ${t.inputMax ?? 'n/a'}`,
    });
  }
  const round = (x: number): number => Math.ceil(x / cfg.contextRoundTokens) * cfg.contextRoundTokens;
  const common = {
    strategy: 'application.context-sizing',
    rollback: { kind: 'set_context_limit' as const, max_model_len: current },
    expectedImpact: { usd_per_month: 0 },
    risk: 'medium' as const,
    verifyWindowS: cfg.verifyWindowS,
  };
  evidence.push({ metric: 'max-model-len', value: current });
  if (contextErrors > 0) {
    const capacity = Math.min(
      ...obs.engine.flatMap((s) =>
        s.data.up && s.data.kv_capacity_tokens !== undefined ? [s.data.kv_capacity_tokens] : []
      ),
      Infinity
    );
    const proposed = Math.min(
      round(Math.max(need, largest * cfg.contextMargin)),
      Number.isFinite(capacity) ? capacity : Infinity
    );
    if (!(proposed > current)) return undefined;
    return {
      ...common,
      action: { kind: 'set_context_limit', max_model_len: proposed },
      confidence: 0.6,
      evidence: [...evidence, { metric: 'requests failed with context_length', value: contextErrors }],
      summary: `${contextErrors} requests failed on the ${current}-token context limit; raise it to ${proposed}.`,
    };
  }
  const proposed = round(Math.max(need, largest));
  if (proposed > current * (1 - cfg.contextMinCut)) return undefined;
  return {
    ...common,
    action: { kind: 'set_context_limit', max_model_len: proposed },
    confidence: 0.7,
    evidence: [...evidence, { metric: 'largest request seen (input max + output p95)', value: largest }],
    summary:
      `Requests need at most ${largest} tokens (largest per-type need ${need}) against a ${current}-token ` +
      `limit; right-size max-model-len to ${proposed} (−${Math.round((1 - proposed / current) * 100)}%).`,
  };
}
