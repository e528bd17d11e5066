import type { Candidate, Observation } from '../agent/analysis.js';
import type { PerformanceConfig } from './config.js';
import { activePoints } from './model/capacity.js';
import { arrivalSeries } from './model/demand.js';
import { meanWaitS } from './model/erlang-c.js';
import { holtForecast } from './model/holt.js';
import { capByCostIncrease, riskOf, usdPerMonth } from './model/money-risk.js';
import { sizingOf } from './model/sizing.js';
import { round } from './model/stats.js';
import { waitEvidence } from './model/wait-evidence.js';

/**
 * Predictive scaling: forecast the arrival rate one provisioning delay (plus the decision delay)
 * ahead with Holt's smoothing (burst-aware; daily term once two days exist) and scale up now if
 * the current replicas could not serve it at SLO, queueing included (Erlang C) — what a planner
 * that models service time alone misses (ai-dynamo/dynamo #10528).
 */
export function predictiveScaling(obs: Observation, cfg: PerformanceConfig): Candidate[] {
  const s = sizingOf(obs, cfg);
  const pts = activePoints(obs, cfg.forecast.historyPoints);
  if (!s || pts.length < cfg.forecast.minPoints) return [];
  const leadS = s.provisionDelayS + cfg.decisionDelayS;
  const steps = Math.ceil(leadS / s.intervalS);
  const series = arrivalSeries(pts);
  const fc = holtForecast(series, steps, s.intervalS * 1000, cfg.forecast);
  const from = s.replicas;
  const to = capByCostIncrease(obs, from, s.needed(fc.value), s.onDemandUsdPerHour);
  if (to <= from) return [];
  const added = to - from;
  const now = series.at(-1)!.value;
  const waitAtForecast = meanWaitS(from, fc.value, s.cap.rpsPerReplica);
  const spanS = (series.at(-1)!.ts - series[0]!.ts) / 1000;
  return [
    {
      strategy: 'performance.predictive-scaling',
      action: { kind: 'scale_replicas', from, to },
      expectedImpact: { usd_per_month: round(usdPerMonth(added * s.onDemandUsdPerHour)) },
      // a forecast is less certain than a measured breach; bursts and short history lower it further
      confidence: round(
        Math.min(0.85, 0.5 + 0.05 * Math.min(pts.length / cfg.forecast.minPoints, 6)) - (fc.burst ? 0.1 : 0),
        2
      ),
      risk: riskOf(added / from, false, cfg.risk),
      evidence: [
        { metric: 'arrival rate now', value: round(now), unit: 'req/s', window_s: round(s.intervalS) },
        {
          metric: 'arrival rate forecast',
          value: round(fc.value),
          unit: 'req/s',
          window_s: round(spanS),
          note:
            `Holt, ${round(leadS)} s ahead (provisioning ${s.provisionDelayS} s + decision ${cfg.decisionDelayS} s)` +
            `${fc.burst ? '; burst detected' : ''}${fc.seasonal !== 0 ? `; daily term ${round(fc.seasonal)}` : ''}`,
        },
        { metric: 'trend', value: round(fc.trendPerStep / s.intervalS, 4), unit: 'req/s²' },
        {
          metric: 'capacity per replica',
          value: round(s.cap.rpsPerReplica),
          unit: 'req/s',
          note: `at saturation (binding: ${s.cap.binding}); sized at ${(1 - cfg.headroom) * 100}%`,
        },
        { metric: 'capacity of current replicas at target', value: round(from * s.usableRpsPerReplica), unit: 'req/s' },
        waitEvidence(waitAtForecast, s.maxWaitS, fc.value / (from * s.cap.rpsPerReplica)),
      ],
      rollback: { kind: 'scale_replicas', from: to, to: from },
      verifyWindowS: s.provisionDelayS + cfg.verifyWindowS.scale,
      summary:
        `Scale ${from} → ${to} replicas now: arrivals are forecast at ${round(fc.value)} req/s in ${round(leadS)} s ` +
        `(now ${round(now)}), above the ${round(from * s.usableRpsPerReplica)} req/s ${from} replicas serve at SLO.`,
    },
  ];
}
