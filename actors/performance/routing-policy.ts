import type { Candidate, Observation } from '../agent/analysis.js';
import type { PerformanceConfig } from './config.js';
import { estimateCapacity, scaleCapacity } from './model/capacity.js';
import { riskOf } from './model/money-risk.js';
import { mean, round, stdDev } from './model/stats.js';

/**
 * Router policy (seed 000 §7.3.3): replicas of different GPU types get weights in proportion to
 * their capacity (scaled by catalog FLOP/s, KV capacity and bandwidth from the observed one);
 * equal replicas whose load is uneven (coefficient of variation above the threshold) under a
 * policy blind to load go to least-loaded.
 */
export function routingPolicy(obs: Observation, cfg: PerformanceConfig): Candidate[] {
  const current = obs.routing;
  if (!current || obs.inventory.length < 2) return [];
  const windowS = round(obs.windowMs / 1000);
  const types = new Set(obs.inventory.map((n) => `${n.gpuType}×${n.gpuCount}`));
  const back = {
    kind: 'set_routing' as const,
    policy: current.policy,
    ...(current.weights ? { weights: current.weights } : {}),
  };
  if (types.size > 1) {
    const cap = estimateCapacity(obs, cfg.capacity);
    if (!cap) return [];
    const rps = new Map(
      obs.inventory.map((n) => [n.node, scaleCapacity(cap, n.gpuType, n.gpuCount)?.rpsPerReplica ?? 0])
    );
    const max = Math.max(...rps.values());
    if (!(max > 0)) return [];
    // seed 000 §7.3.3: weight = int(capacity / max capacity × 100)
    const weights = Object.fromEntries([...rps].sort().map(([n, r]) => [n, Math.max(1, Math.floor((r / max) * 100))]));
    if (current.policy === 'weighted' && sameWeights(current.weights, weights)) return [];
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    const moved =
      obs.inventory.reduce((a, n) => a + Math.abs(weights[n.node]! / total - 1 / obs.inventory.length), 0) / 2;
    return [
      {
        strategy: 'performance.routing',
        action: { kind: 'set_routing', policy: 'weighted', weights },
        expectedImpact: { usd_per_month: 0 },
        confidence: 0.7,
        risk: riskOf(moved, false, cfg.risk),
        evidence: [
          ...obs.inventory.map((n) => ({
            metric: `capacity per replica ${n.node} (${n.gpuType}×${n.gpuCount})`,
            value: round(rps.get(n.node)!),
            unit: 'req/s',
            note: `from the observed ${cap.gpuId} capacity, scaled by catalog figures`,
          })),
          { metric: 'traffic share moved', value: round(moved, 3), unit: 'ratio' },
        ],
        rollback: back,
        verifyWindowS: cfg.verifyWindowS.routing,
        summary: `Route by capacity (weighted ${Object.entries(weights)
          .map(([n, w]) => `${n}:${w}`)
          .join(', ')}): the fleet mixes ${[...types].join(' and ')}, which ${current.policy} treats alike.`,
      },
    ];
  }
  if (current.policy !== 'round_robin' && current.policy !== 'weighted') return [];
  const since = obs.now - obs.windowMs;
  const load = new Map<string, number[]>();
  for (const s of obs.engine) {
    const d = s.data;
    if (s.ts <= since || !d.up) continue;
    load.set(d.node, [...(load.get(d.node) ?? []), d.requests_running + d.requests_waiting]);
  }
  const perNode = [...load.values()].map(mean);
  const m = mean(perNode);
  if (perNode.length < 2 || !(m > 0)) return [];
  const cv = stdDev(perNode) / m;
  if (cv <= cfg.routing.imbalanceCv) return [];
  const moved = perNode.reduce((a, x) => a + Math.abs(x - m), 0) / (2 * perNode.length * m);
  return [
    {
      strategy: 'performance.routing',
      action: { kind: 'set_routing', policy: 'least_loaded' },
      expectedImpact: { usd_per_month: 0 },
      confidence: 0.65,
      risk: riskOf(moved, false, cfg.risk),
      evidence: [
        {
          metric: 'load imbalance (CV of running + waiting per replica)',
          value: round(cv, 3),
          window_s: windowS,
          note: `threshold ${cfg.routing.imbalanceCv}`,
        },
        { metric: 'mean running + waiting per replica', value: round(m), window_s: windowS },
      ],
      rollback: back,
      verifyWindowS: cfg.verifyWindowS.routing,
      summary: `Switch routing ${current.policy} → least_loaded: load per replica varies by ${round(cv * 100)}% (CV) over ${windowS} s.`,
    },
  ];
}

function sameWeights(a: Record<string, number> | undefined, b: Record<string, number>): boolean {
  if (!a) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
