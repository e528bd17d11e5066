import type { EvidenceItem } from '../../schemas/index.js';
import type { Candidate, Observation } from '../agent/analysis.js';
import type { PerformanceConfig } from './config.js';
import { activePoints } from './model/capacity.js';
import { arrivalRps } from './model/demand.js';
import { meanWaitS } from './model/erlang-c.js';
import { capByCostIncrease, riskOf, usdPerMonth } from './model/money-risk.js';
import { sizingOf } from './model/sizing.js';
import { sloStatus } from './model/slo-status.js';
import { mean, round } from './model/stats.js';
import { waitEvidence } from './model/wait-evidence.js';

/**
 * Reactive SLO-aware scaling (llm-d WVA's saturation analyzer): when the newest intervals all
 * show a queue, a full KV cache or a p95 over its target, size the fleet for the arrival rate
 * plus draining the backlog, with Erlang-C queueing, and scale up.
 */
export function sloScaling(obs: Observation, cfg: PerformanceConfig): Candidate[] {
  const s = sizingOf(obs, cfg);
  const all = activePoints(obs, cfg.capacity.windowPoints + 1);
  const recent = all.slice(-cfg.saturation.recentPoints);
  if (!s || recent.length < cfg.saturation.recentPoints) return [];
  const windowS = recent.length * s.intervalS;
  const status = sloStatus(obs, recent);
  const signals: EvidenceItem[] = [];
  const waitingPerReplica = recent.map((p) => p.waiting / p.replicasUp);
  if (waitingPerReplica.every((w) => w >= cfg.saturation.waitingPerReplica)) {
    signals.push({
      metric: 'vllm:num_requests_waiting per replica',
      value: round(mean(waitingPerReplica)),
      window_s: windowS,
      note: `threshold ${cfg.saturation.waitingPerReplica}`,
    });
  }
  if (recent.every((p) => p.kvUsageMean >= cfg.saturation.kvUsage)) {
    signals.push({
      metric: 'vllm:kv_cache_usage_perc mean',
      value: round(mean(recent.map((p) => p.kvUsageMean)), 3),
      unit: 'ratio',
      window_s: windowS,
      note: `threshold ${cfg.saturation.kvUsage}`,
    });
  }
  for (const m of status.metrics) {
    const key = m.metric === 'ttft_p95_ms' ? 'ttftP95Ms' : m.metric === 'itl_p95_ms' ? 'itlP95Ms' : 'e2eP95Ms';
    if (recent.every((p) => (p[key] ?? 0) > m.targetMs)) {
      signals.push({
        metric: m.metric,
        value: round(m.latestMs),
        unit: 'ms',
        window_s: windowS,
        note: `target ${m.targetMs} ms`,
      });
    }
  }
  if (signals.length === 0) return [];
  const arrivals = recent.map((p) => arrivalRps(p, all[all.indexOf(p) - 1]));
  const lambda = mean(arrivals);
  const backlog = recent.at(-1)!.waiting;
  const lambdaEff = lambda + backlog / cfg.saturation.backlogDrainS;
  const from = s.replicas;
  const to = capByCostIncrease(obs, from, Math.max(from + 1, s.needed(lambdaEff)), s.onDemandUsdPerHour);
  if (to <= from) return [];
  const added = to - from;
  const waitNow = meanWaitS(from, lambdaEff, s.cap.rpsPerReplica);
  return [
    {
      strategy: 'performance.slo-scaling',
      action: { kind: 'scale_replicas', from, to },
      expectedImpact: {
        usd_per_month: round(usdPerMonth(added * s.onDemandUsdPerHour)),
        slo_attainment_delta: round(Math.max(0, obs.spec.slo.attainment - status.attainment), 3),
      },
      confidence: round(Math.min(0.95, 0.55 + 0.15 * signals.length), 2),
      risk: riskOf(added / from, false, cfg.risk),
      evidence: [
        ...signals,
        {
          metric: 'arrival rate',
          value: round(lambda),
          unit: 'req/s',
          window_s: windowS,
          note: 'finished + backlog growth',
        },
        { metric: 'waiting requests', value: backlog, note: `drained over ${cfg.saturation.backlogDrainS} s` },
        {
          metric: 'capacity per replica',
          value: round(s.cap.rpsPerReplica),
          unit: 'req/s',
          note: `estimated from observed throughput; binding: ${s.cap.binding}`,
        },
        waitEvidence(waitNow, s.maxWaitS, lambdaEff / (from * s.cap.rpsPerReplica)),
        { metric: 'SLO attainment (intervals)', value: round(status.attainment, 3), unit: 'ratio', window_s: windowS },
      ],
      rollback: { kind: 'scale_replicas', from: to, to: from },
      verifyWindowS: s.provisionDelayS + cfg.verifyWindowS.scale,
      summary:
        `Scale ${from} → ${to} replicas: ${signals.map((x) => x.metric).join(', ')} over the last ${windowS} s; ` +
        `${round(lambdaEff)} req/s needs ${to} at ${round(s.cap.rpsPerReplica)} req/s each with ${cfg.headroom * 100}% headroom.`,
    },
  ];
}
