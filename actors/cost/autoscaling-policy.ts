import type { Candidate, Observation } from '../agent/analysis.js';
import {
  activePoints,
  arrivalSeries,
  holtForecast,
  mean,
  percentile,
  riskOf,
  round,
  sizingOf,
  sloStatus,
  usdPerMonth,
} from '../performance/index.js';
import type { CostConfig } from './config.js';

/**
 * Autoscaling policy and scale-down (seed 000 §6.3.4): size the fleet for the window's p95
 * arrival rate and for the forecast one provisioning delay ahead (whichever is larger), with
 * headroom and Erlang-C queueing; propose removing the surplus (the priciest nodes first) when
 * the SLO holds. The policy's min/max come from demand percentiles and travel as evidence.
 */
export function autoscalingPolicy(obs: Observation, cfg: CostConfig): Candidate[] {
  const s = sizingOf(obs, cfg);
  const all = activePoints(obs, cfg.forecast.historyPoints);
  const window = all.slice(-cfg.capacity.windowPoints);
  if (!s || window.length < cfg.scaleDown.minPoints) return [];
  // capacity is estimated per average replica: removing nodes from a mixed fleet needs per-type sizing
  if (new Set(obs.inventory.map((n) => n.instanceType)).size > 1) return [];
  const status = sloStatus(obs, window);
  if (status.attainment < cfg.scaleDown.minAttainment) return [];
  if (window.some((p) => p.waiting / p.replicasUp >= cfg.capacity.queuePerReplica)) return [];
  const minAttainment = obs.spec.constraints.min_slo_attainment;
  if (minAttainment !== undefined && status.attainment < minAttainment) return [];
  const series = arrivalSeries(all);
  const windowRates = series.slice(-window.length).map((p) => p.value);
  const p95 = percentile(windowRates, cfg.scaleDown.demandPercentile);
  const leadS = s.provisionDelayS + cfg.decisionDelayS;
  const fc = holtForecast(series, Math.ceil(leadS / s.intervalS), s.intervalS * 1000, cfg.forecast);
  const peak = Math.max(...series.map((p) => p.value));
  const from = s.replicas;
  // scale down only if the forecast over the provisioning delay stays under capacity at SLO
  const to = Math.max(1, s.needed(Math.max(p95, fc.value)));
  if (to >= from) return [];
  const removed = [...obs.inventory]
    .sort((a, b) => b.usdPerHour - a.usdPerHour || a.node.localeCompare(b.node))
    .slice(0, from - to);
  const savedUsdPerHour = removed.reduce((a, n) => a + n.usdPerHour, 0);
  const windowS = round(window.length * s.intervalS);
  const policyMin = Math.max(
    1,
    s.needed(
      percentile(
        series.map((p) => p.value),
        cfg.autoscaling.minPercentile
      )
    )
  );
  const policyMax = s.needed(peak) + cfg.autoscaling.maxBuffer;
  const shareRemoved = (from - to) / from;
  // token-cost tracking (seed 004): spend per million tokens served, before and after
  const tokensPerS = mean(window.map((p) => p.promptTokensPerS + p.generationTokensPerS));
  const fleetUsdPerHour = obs.inventory.reduce((a, n) => a + n.usdPerHour, 0);
  const perMTokens = (usdPerHour: number): number => (tokensPerS > 0 ? (usdPerHour / (tokensPerS * 3600)) * 1e6 : 0);
  return [
    {
      strategy: 'cost.autoscaling',
      action: { kind: 'scale_replicas', from, to },
      nodes: removed.map((n) => n.node).sort(),
      expectedImpact: { usd_per_month: round(-usdPerMonth(savedUsdPerHour)) },
      confidence: round(
        Math.min(0.9, 0.5 + 0.4 * Math.min(1, window.length / cfg.capacity.windowPoints)) - (fc.burst ? 0.2 : 0),
        2
      ),
      risk: riskOf(shareRemoved, false, cfg.risk),
      evidence: [
        {
          metric: `arrival rate p${Math.round(cfg.scaleDown.demandPercentile * 100)}`,
          value: round(p95),
          unit: 'req/s',
          window_s: windowS,
        },
        {
          metric: 'arrival rate forecast',
          value: round(fc.value),
          unit: 'req/s',
          note: `Holt, ${round(leadS)} s ahead (provisioning + decision)`,
        },
        {
          metric: 'capacity per replica',
          value: round(s.cap.rpsPerReplica),
          unit: 'req/s',
          note: `estimated from observed throughput at load share ${round(s.cap.loadShare, 3)} (binding: ${s.cap.binding})`,
        },
        {
          metric: 'utilisation after',
          value: round(Math.max(p95, fc.value) / (to * s.cap.rpsPerReplica), 3),
          unit: 'ratio',
          note: `limit ${1 - cfg.headroom}`,
        },
        { metric: 'SLO attainment (intervals)', value: round(status.attainment, 3), unit: 'ratio', window_s: windowS },
        {
          metric: 'autoscaling min replicas',
          value: policyMin,
          note: `p${Math.round(cfg.autoscaling.minPercentile * 100)} of demand`,
        },
        {
          metric: 'autoscaling max replicas',
          value: policyMax,
          note: `peak ${round(peak)} req/s + ${cfg.autoscaling.maxBuffer}`,
        },
        { metric: 'autoscaling scale-up KV usage', value: cfg.capacity.kvTarget, unit: 'ratio' },
        { metric: 'autoscaling scale-up waiting per replica', value: cfg.capacity.queuePerReplica },
        {
          metric: 'saving',
          value: round(usdPerMonth(savedUsdPerHour)),
          unit: 'USD/month',
          note: "730 h/month at the removed nodes' billed rates",
        },
        {
          metric: 'cost per million tokens',
          value: round(perMTokens(fleetUsdPerHour), 4),
          unit: 'USD',
          window_s: windowS,
          note: `${round(perMTokens(fleetUsdPerHour - savedUsdPerHour), 4)} USD after`,
        },
      ],
      rollback: { kind: 'scale_replicas', from: to, to: from },
      verifyWindowS: cfg.verifyWindowS.scale,
      summary:
        `Scale ${from} → ${to} replicas, saving $${round(usdPerMonth(savedUsdPerHour))}/month: p95 demand ${round(p95)} req/s ` +
        `(forecast ${round(fc.value)}) needs ${to} at ${round(s.cap.rpsPerReplica)} req/s each with ${cfg.headroom * 100}% headroom.`,
    },
  ];
}
