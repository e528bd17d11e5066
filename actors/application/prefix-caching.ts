import type { EngineTelemetry, EvidenceItem } from '../../schemas/index.js';
import type { Candidate, Observation } from '../agent/analysis.js';
import type { ApplicationConfig } from './application-config.js';
import { appRows } from './app-rows.js';

type EngineUp = Extract<EngineTelemetry, { up: true }>;

/**
 * Caching opportunity (tier ≥ 2: repeated-prefix shares): when many requests repeat a long prefix
 * but the engines cache nothing (prefix caching off: no hit rate at all), turn prefix caching on;
 * when they cache but hit far less than the repeats allow on several replicas, route by prefix
 * so repeats land where their KV is.
 */
export function prefixCachingCandidate(obs: Observation, cfg: ApplicationConfig): Candidate | undefined {
  const rows = appRows(obs).filter((r) => r.tier >= 2 && r.prefixReuse !== null && r.requests > 0);
  const requests = rows.reduce((a, r) => a + r.requests, 0);
  if (requests < cfg.minRequests) return undefined;
  const repeatedShare = rows.reduce((a, r) => a + r.prefixReuse!.repeatedShare * r.requests, 0) / requests;
  const repeated = rows.reduce((a, r) => a + r.prefixReuse!.repeatedShare * r.requests, 0);
  const repeatedTokens =
    repeated > 0
      ? rows.reduce((a, r) => a + r.prefixReuse!.repeatedTokensMean * r.prefixReuse!.repeatedShare * r.requests, 0) /
        repeated
      : 0;
  if (repeatedShare < cfg.prefixRepeatedShare || repeatedTokens < cfg.prefixRepeatedTokens) return undefined;
  const since = obs.now - obs.windowMs;
  const ups = obs.engine
    .filter((s) => s.ts > since && s.data.workload === obs.workload && s.data.up)
    .map((s) => s.data as EngineUp);
  const nodes = [...new Set(ups.map((d) => d.node))].sort();
  if (nodes.length === 0) return undefined;
  const windowS = Math.max(...rows.map((r) => r.windowS));
  const evidence: EvidenceItem[] = [
    {
      metric: 'requests repeating a prefix',
      value: Math.round(repeatedShare * 1000) / 1000,
      unit: 'ratio',
      window_s: windowS,
    },
    { metric: 'repeated prefix tokens mean', value: Math.round(repeatedTokens) },
    { metric: 'prefill tokens a cache could skip, per request', value: Math.round(repeatedShare * repeatedTokens) },
  ];
  const common = { expectedImpact: { usd_per_month: 0 }, verifyWindowS: cfg.verifyWindowS, evidence };
  const hitByNode = new Map<string, number[]>();
  for (const d of ups) {
    if (typeof d.prefix_cache_hit_rate === 'number')
      hitByNode.set(d.node, [...(hitByNode.get(d.node) ?? []), d.prefix_cache_hit_rate]);
  }
  const off = nodes.filter((n) => obs.engineArgs?.[n]?.['enable-prefix-caching'] === false || !hitByNode.has(n));
  if (off.length > 0) {
    return {
      ...common,
      strategy: 'application.prefix-caching',
      nodes: off,
      action: { kind: 'reconfigure_engine', changes: { 'enable-prefix-caching': true } },
      rollback: { kind: 'reconfigure_engine', changes: { 'enable-prefix-caching': false } },
      confidence: 0.75,
      risk: off.length / nodes.length > 0.5 ? 'high' : off.length / nodes.length > 0.1 ? 'medium' : 'low',
      summary:
        `${Math.round(repeatedShare * 100)}% of requests repeat a ~${Math.round(repeatedTokens)}-token prefix but ` +
        `${off.join(', ')} cache no prefixes; enable prefix caching.`,
    };
  }
  const hits = [...hitByNode.values()].flat();
  const hitRate = hits.reduce((a, b) => a + b, 0) / hits.length;
  evidence.push({ metric: 'prefix cache hit rate', value: Math.round(hitRate * 1000) / 1000, window_s: windowS });
  if (nodes.length < 2 || !obs.routing || obs.routing.policy === 'prefix_affinity' || hitRate >= repeatedShare / 2)
    return undefined;
  return {
    ...common,
    strategy: 'application.prefix-affinity',
    action: { kind: 'set_routing', policy: 'prefix_affinity' },
    rollback: {
      kind: 'set_routing',
      policy: obs.routing.policy,
      ...(obs.routing.weights ? { weights: obs.routing.weights } : {}),
    },
    confidence: 0.6,
    risk: 'medium',
    summary:
      `${Math.round(repeatedShare * 100)}% of requests repeat a prefix but only ${Math.round(hitRate * 100)}% hit the ` +
      `cache across ${nodes.length} replicas; route by prefix so repeats meet their cached KV.`,
  };
}
