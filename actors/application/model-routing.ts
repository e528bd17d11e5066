import type { ActionSpec, EvidenceItem } from '../../schemas/index.js';
import type { Candidate, Observation } from '../agent/analysis.js';
import { qualityOf, routingOptionOf, type ApplicationConfig, type RoutingOption } from './application-config.js';
import { appRows, summarizeByRequestType } from './app-rows.js';

/**
 * Seed 004 §2.2 on tier-1 data: each request type (its task class) goes to the cheapest model in
 * the matrix whose quality for that class meets the class's minimum, never below the quality of
 * the model serving it now for classes without a minimum. The router executes it as weights per
 * model (each model's share of requests); savings = tokens a month × price difference.
 */
export function modelRoutingCandidate(obs: Observation, cfg: ApplicationConfig): Candidate | undefined {
  const types = summarizeByRequestType(appRows(obs)).filter((t) => t.requests >= cfg.minRequests);
  if (types.length === 0) return undefined;
  const windowS = types[0]!.windowS;
  if (!(windowS > 0)) return undefined;
  const monthly = (cfg.hoursPerMonth * 3600) / windowS;
  const weights: Record<string, number> = {};
  const current: Record<string, number> = {};
  const evidence: EvidenceItem[] = [];
  let saved = 0;
  let total = 0;
  let moved = 0;
  for (const t of types) {
    const tokensPerRequest = t.inputMean + t.outputMean;
    for (const [model, n] of Object.entries(t.models)) {
      total += n;
      current[model] = (current[model] ?? 0) + n;
      const now = routingOptionOf(cfg, model);
      const best = now ? cheapestFor(cfg, t.requestType, now) : undefined;
      const target = best && best.usdPer1kTokens < now!.usdPer1kTokens ? best : undefined;
      const name = target?.model ?? model;
      weights[name] = (weights[name] ?? 0) + n;
      if (!target || !now) continue;
      moved += n;
      const usd = ((n * tokensPerRequest * monthly) / 1000) * (now.usdPer1kTokens - target.usdPer1kTokens);
      saved += usd;
      evidence.push({
        metric: `${t.requestType}: ${model} → ${target.model}`,
        value: Math.round(usd * 100) / 100,
        unit: 'USD/month',
        window_s: windowS,
        note:
          `${n} requests × ${Math.round(tokensPerRequest)} tokens; quality ${qualityOf(now, t.requestType)} → ` +
          `${qualityOf(target, t.requestType)} (min ${cfg.minQualityByTaskClass[t.requestType] ?? 'current'}); ` +
          `$${now.usdPer1kTokens} → $${target.usdPer1kTokens} per 1k tokens`,
      });
    }
  }
  if (moved === 0 || saved < cfg.minRoutingSavingsUsdPerMonth) return undefined;
  const share = (w: Record<string, number>): Record<string, number> =>
    Object.fromEntries(
      Object.entries(w)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, Math.round((v / total) * 1000) / 1000])
    );
  const rollback: ActionSpec = obs.routing
    ? {
        kind: 'set_routing',
        policy: obs.routing.policy,
        ...(obs.routing.weights ? { weights: obs.routing.weights } : {}),
      }
    : { kind: 'set_routing', policy: 'weighted', weights: share(current) };
  return {
    strategy: 'application.model-routing',
    action: { kind: 'set_routing', policy: 'weighted', weights: share(weights) },
    rollback,
    expectedImpact: { usd_per_month: -Math.round(saved * 100) / 100 },
    confidence: 0.6,
    risk: moved / total > 0.5 ? 'high' : moved / total > 0.1 ? 'medium' : 'low',
    evidence,
    verifyWindowS: cfg.verifyWindowS,
    summary:
      `Route ${Math.round((moved / total) * 100)}% of requests to cheaper models that meet their task class's ` +
      `quality (seed 004 matrix), saving ~$${Math.round(saved)} a month.`,
  };
}

function cheapestFor(cfg: ApplicationConfig, taskClass: string, now: RoutingOption): RoutingOption | undefined {
  const min = cfg.minQualityByTaskClass[taskClass] ?? qualityOf(now, taskClass);
  return cfg.routing
    .filter((o) => qualityOf(o, taskClass) >= min)
    .sort((a, b) => a.usdPer1kTokens - b.usdPer1kTokens || qualityOf(b, taskClass) - qualityOf(a, taskClass))[0];
}
