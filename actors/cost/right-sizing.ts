import type { Candidate, Observation, PricedInstanceType } from '../agent/analysis.js';
import {
  activePoints,
  arrivalSeries,
  dominantInstance,
  percentile,
  riskOf,
  round,
  scaleCapacity,
  sizingOf,
  sloStatus,
  usdPerMonth,
} from '../performance/index.js';
import type { CostConfig } from './config.js';

/**
 * Right-sizing and GPU-type choice (seed 000 §6.3.2; Mélange): the cheapest instance type whose
 * GPUs hold the weights and the needed KV, and whose capacity — the observed one scaled by FLOP/s
 * (prefill), KV capacity and HBM bandwidth (decode) — serves p95 demand with headroom while the
 * TTFT and ITL targets still hold. Moving only some nodes gives a mixed fleet when that is cheaper
 * than moving none and all cannot carry the load.
 */
export function rightSizing(obs: Observation, cfg: CostConfig): Candidate[] {
  const s = sizingOf(obs, cfg);
  const inst = dominantInstance(obs);
  const window = activePoints(obs, cfg.capacity.windowPoints);
  if (!s || !inst || window.length < cfg.scaleDown.minPoints) return [];
  const status = sloStatus(obs, window);
  const floor = Math.max(cfg.scaleDown.minAttainment, obs.spec.constraints.min_slo_attainment ?? 0);
  if (status.attainment < floor) return [];
  const current = obs.prices.instanceTypes.find((t) => t.id === inst.instanceType);
  const nodes = obs.inventory.filter((n) => n.instanceType === inst.instanceType);
  const option = nodes[0]?.purchaseOption ?? 'on_demand';
  const curPrice = current?.usdPerHour[option];
  if (!current || curPrice === undefined || option === 'reserved') return [];
  const demand = percentile(
    arrivalSeries(activePoints(obs, cfg.forecast.historyPoints))
      .slice(-window.length)
      .map((p) => p.value),
    cfg.scaleDown.demandPercentile
  );
  const others = obs.inventory.length - nodes.length;
  const ttft = status.metrics.find((m) => m.metric === 'ttft_p95_ms');
  const itl = status.metrics.find((m) => m.metric === 'itl_p95_ms');
  const allowed = obs.spec.constraints.allowed_instance_types;
  const provider = inst.instanceType.split(':')[0];
  let best:
    | {
        t: PricedInstanceType;
        k: number;
        saving: number;
        rps: number;
        flops: number;
        kv: number;
        bw: number;
        price: number;
      }
    | undefined;
  for (const t of obs.prices.instanceTypes) {
    const price = t.usdPerHour[option];
    if (t.id === current.id || price === undefined || price >= curPrice) continue;
    if (allowed && !allowed.includes(t.id) && !allowed.includes(t.id.split(':').slice(1).join(':'))) continue;
    if (cfg.rightSizing.sameProviderOnly && t.id.split(':')[0] !== provider) continue;
    const scaled = scaleCapacity(s.cap, t.gpuId, t.gpuCount);
    if (!scaled) continue;
    // decode is bandwidth-bound, prefill compute-bound: latencies scale by the inverse ratios
    if (itl && itl.p95Ms / scaled.bandwidthRatio > itl.targetMs * (1 - cfg.headroom)) continue;
    if (ttft && ttft.p95Ms / scaled.flopsRatio > ttft.targetMs * (1 - cfg.headroom)) continue;
    // move as many nodes as the load allows (all: a plain right-size; some: a mixed fleet)
    for (let k = nodes.length; k >= 1; k--) {
      const capacity =
        ((nodes.length - k) * s.cap.rpsPerReplica + k * scaled.rpsPerReplica + others * s.cap.rpsPerReplica) *
        (1 - cfg.headroom);
      if (capacity < demand) continue;
      const saving = k * (curPrice - price);
      if (!best || saving > best.saving) {
        best = {
          t,
          k,
          saving,
          rps: scaled.rpsPerReplica,
          flops: scaled.flopsRatio,
          kv: scaled.kvRatio,
          bw: scaled.bandwidthRatio,
          price,
        };
      }
      break;
    }
  }
  if (!best || best.saving < cfg.rightSizing.minSavingsShare * curPrice * nodes.length) return [];
  const moved = [...nodes]
    .sort((a, b) => a.node.localeCompare(b.node))
    .slice(0, best.k)
    .map((n) => n.node);
  const windowS = round(window.length * s.intervalS);
  return [
    {
      strategy: 'cost.right-sizing',
      action: { kind: 'change_instance_type', from: current.id, to: best.t.id },
      nodes: moved,
      expectedImpact: { usd_per_month: round(-usdPerMonth(best.saving)) },
      confidence: round(0.75 - (best.k < nodes.length ? 0.1 : 0), 2),
      risk: riskOf(best.k / obs.inventory.length, false, cfg.risk),
      evidence: [
        {
          metric: `arrival rate p${Math.round(cfg.scaleDown.demandPercentile * 100)}`,
          value: round(demand),
          unit: 'req/s',
          window_s: windowS,
        },
        {
          metric: `capacity per replica ${current.id}`,
          value: round(s.cap.rpsPerReplica),
          unit: 'req/s',
          note: `observed, binding ${s.cap.binding}`,
        },
        {
          metric: `capacity per replica ${best.t.id}`,
          value: round(best.rps),
          unit: 'req/s',
          note: `scaled: FLOP/s ×${round(best.flops, 3)}, KV ×${round(best.kv, 3)}, bandwidth ×${round(best.bw, 3)}`,
        },
        ...(ttft
          ? [
              {
                metric: 'predicted TTFT p95',
                value: round(ttft.p95Ms / best.flops),
                unit: 'ms',
                note: `target ${ttft.targetMs} ms`,
              },
            ]
          : []),
        ...(itl
          ? [
              {
                metric: 'predicted ITL p95',
                value: round(itl.p95Ms / best.bw),
                unit: 'ms',
                note: `target ${itl.targetMs} ms`,
              },
            ]
          : []),
        {
          metric: 'price',
          value: best.price,
          unit: 'USD/h',
          note: `${current.id} ${curPrice} USD/h (${option}, price book)`,
        },
        { metric: 'saving', value: round(usdPerMonth(best.saving)), unit: 'USD/month', note: '730 h/month' },
      ],
      rollback: { kind: 'change_instance_type', from: best.t.id, to: current.id },
      verifyWindowS: cfg.verifyWindowS.instanceType,
      summary:
        `Move ${best.k} of ${nodes.length} nodes ${current.id} → ${best.t.id} (${best.t.gpuCount}× ${best.t.gpuId}), ` +
        `saving $${round(usdPerMonth(best.saving))}/month; they still serve p95 demand ${round(demand)} req/s with ${cfg.headroom * 100}% headroom.`,
    },
  ];
}
