import type { Candidate, Observation } from '../agent/analysis.js';
import { riskOf, round, usdPerMonth } from '../performance/index.js';
import type { CostConfig } from './config.js';
import { monthlyInterruption, observedInterruptionsPerHour } from './spot-risk.js';

/**
 * Fallback to on-demand (SkyServe SpotHedge; Karpenter #8298): when spot nodes are interrupted
 * at a high rate — quoted by the provider or seen in the window — move them to on-demand, within
 * `max_cost_increase_pct` (the most expensive to keep on spot stay there).
 */
export function spotFallback(obs: Observation, cfg: CostConfig): Candidate[] {
  const spot = obs.inventory.filter((n) => n.purchaseOption === 'spot');
  if (spot.length === 0) return [];
  const seen = observedInterruptionsPerHour(obs);
  const rows = spot
    .map((n) => {
      const t = obs.prices.instanceTypes.find((p) => p.id === n.instanceType);
      const quoted = t?.spotInterruptionsPerHour ?? 0;
      const perHour = Math.max(quoted, seen.lost > 0 ? seen.perHour : 0);
      return { n, od: t?.usdPerHour.on_demand, perHour, monthly: monthlyInterruption(perHour), quoted };
    })
    .filter((r): r is typeof r & { od: number } => r.od !== undefined && r.monthly >= cfg.spot.highRiskMonthly)
    .sort(
      (a, b) =>
        b.perHour - a.perHour || a.od - a.n.usdPerHour - (b.od - b.n.usdPerHour) || a.n.node.localeCompare(b.n.node)
    );
  const fleetUsdPerHour = obs.inventory.reduce((a, n) => a + n.usdPerHour, 0);
  const capPct = obs.spec.constraints.max_cost_increase_pct;
  const moved: typeof rows = [];
  let extra = 0;
  for (const r of rows) {
    const add = r.od - r.n.usdPerHour;
    if (capPct !== undefined && (100 * (extra + add)) / fleetUsdPerHour > capPct) continue;
    moved.push(r);
    extra += add;
  }
  if (moved.length === 0) return [];
  const worst = moved[0]!;
  const nodes = moved.map((r) => r.n.node).sort();
  const windowS = round(obs.windowMs / 1000);
  return [
    {
      strategy: 'cost.spot-fallback',
      action: { kind: 'change_purchase_option', from: 'spot', to: 'on_demand' },
      nodes,
      expectedImpact: { usd_per_month: round(usdPerMonth(extra)) },
      confidence: seen.lost > 0 ? 0.85 : 0.7,
      risk: riskOf(moved.length / obs.inventory.length, false, cfg.risk),
      evidence: [
        {
          metric: 'spot interruptions per instance-hour',
          value: round(worst.perHour, 4),
          note: `quoted ${round(worst.quoted, 6)}`,
        },
        {
          metric: 'monthly interruption probability',
          value: round(worst.monthly, 4),
          unit: 'ratio',
          note: `fallback at ${cfg.spot.highRiskMonthly}`,
        },
        {
          metric: 'spot replicas lost in window',
          value: seen.lost,
          window_s: windowS,
          note: `${round(seen.nodeHours, 3)} spot node-hours observed`,
        },
        {
          metric: 'extra cost',
          value: round(usdPerMonth(extra)),
          unit: 'USD/month',
          note: `${round((100 * extra) / fleetUsdPerHour, 1)}% of fleet spend; 730 h/month`,
        },
      ],
      rollback: { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
      verifyWindowS: cfg.verifyWindowS.purchase,
      summary:
        `Move ${nodes.length} spot node(s) to on-demand: interruptions run at ${round(worst.perHour, 3)}/instance-hour ` +
        `(${round(worst.monthly * 100, 1)}% chance a month); costs $${round(usdPerMonth(extra))}/month more.`,
    },
  ];
}
