import type { Candidate, Observation } from '../agent/analysis.js';
import { activePoints, maxRisk, provisionDelayS, riskOf, round, sloStatus, usdPerMonth } from '../performance/index.js';
import type { CostConfig } from './config.js';
import { monthlyInterruption } from './spot-risk.js';

/**
 * Spot migration (seed 000 §6.3.1, SkyServe SpotHedge): with `spot_allowed`, move on-demand nodes
 * whose type sells spot below the high-risk interruption rate, keeping an on-demand base as the
 * fallback. The executor pre-spins each spot replacement and drains the old node only once it
 * serves: nodes take minutes to start, the spot notice is 2 minutes.
 */
export function spotMigration(obs: Observation, cfg: CostConfig): Candidate[] {
  if (!obs.spec.constraints.spot_allowed) return [];
  // interruptions cost attainment: none while the workload is already below its floor
  const floor = obs.spec.constraints.min_slo_attainment;
  if (floor !== undefined && sloStatus(obs, activePoints(obs, cfg.capacity.windowPoints)).attainment < floor) return [];
  const onDemand = obs.inventory.filter((n) => n.purchaseOption === 'on_demand');
  const movable = Math.max(0, onDemand.length - cfg.spot.onDemandBaseReplicas);
  if (movable === 0) return [];
  const offers = onDemand
    .map((n) => {
      const t = obs.prices.instanceTypes.find((p) => p.id === n.instanceType);
      const spot = t?.usdPerHour.spot;
      const od = t?.usdPerHour.on_demand ?? n.usdPerHour;
      const perHour = t?.spotInterruptionsPerHour;
      return spot === undefined || perHour === undefined
        ? undefined
        : { n, spot, od, perHour, monthly: monthlyInterruption(perHour) };
    })
    .filter((o): o is NonNullable<typeof o> => o !== undefined && o.spot < o.od && o.monthly < cfg.spot.highRiskMonthly)
    .sort((a, b) => b.od - b.spot - (a.od - a.spot) || a.n.node.localeCompare(b.n.node))
    .slice(0, movable);
  if (offers.length === 0) return [];
  const saving = offers.reduce((a, o) => a + (o.od - o.spot), 0);
  const onDemandMonthly = usdPerMonth(offers.reduce((a, o) => a + o.od, 0));
  const worst = offers.reduce((a, o) => (o.monthly > a.monthly ? o : a));
  const interruptionRisk = worst.monthly < cfg.spot.lowRiskMonthly ? 'low' : 'medium';
  const share = offers.length / obs.inventory.length;
  const delayS = provisionDelayS(obs, worst.n.instanceType, cfg.defaultProvisionDelayS);
  const expectedPerMonth = offers.reduce((a, o) => a + o.perHour * 730, 0);
  const nodes = offers.map((o) => o.n.node).sort();
  return [
    {
      strategy: 'cost.spot-migration',
      action: { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
      nodes,
      expectedImpact: { usd_per_month: round(-usdPerMonth(saving)) },
      // seed 000 §6.3.1: confidence falls with the interruption rate
      confidence: round(0.85 - worst.monthly, 2),
      risk: maxRisk(riskOf(share, false, cfg.risk), interruptionRisk),
      evidence: [
        {
          metric: 'saving',
          value: round(usdPerMonth(saving)),
          unit: 'USD/month',
          note: `${round((100 * usdPerMonth(saving)) / onDemandMonthly, 1)}% of on-demand; 730 h/month`,
        },
        ...offers.map((o) => ({
          metric: `spot price ${o.n.instanceType}`,
          value: o.spot,
          unit: 'USD/h',
          note: `on-demand ${o.od} USD/h (price book)`,
        })),
        { metric: 'spot interruptions per instance-hour', value: round(worst.perHour, 6), note: worst.n.instanceType },
        {
          metric: 'monthly interruption probability',
          value: round(worst.monthly, 4),
          unit: 'ratio',
          note: `high at ${cfg.spot.highRiskMonthly}`,
        },
        { metric: 'expected interruptions', value: round(expectedPerMonth, 2), unit: 'per month' },
        { metric: 'on-demand replicas kept', value: onDemand.length - offers.length, note: 'fallback base' },
        {
          metric: 'provisioning delay',
          value: delayS,
          unit: 's',
          note: `> ${cfg.spot.noticeS} s notice: pre-spin each replacement before draining`,
        },
      ],
      rollback: { kind: 'change_purchase_option', from: 'spot', to: 'on_demand' },
      verifyWindowS: cfg.verifyWindowS.purchase,
      summary:
        `Move ${nodes.length} of ${obs.inventory.length} nodes to spot (pre-spin, then drain), saving $${round(usdPerMonth(saving))}/month; ` +
        `interruption chance ${round(worst.monthly * 100, 1)}%/month per node, ${onDemand.length - offers.length} on-demand kept as fallback.`,
    },
  ];
}
