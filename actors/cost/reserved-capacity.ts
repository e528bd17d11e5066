import type { Candidate, Observation } from '../agent/analysis.js';
import {
  activePoints,
  arrivalSeries,
  dominantInstance,
  mean,
  percentile,
  round,
  sizingOf,
  stdDev,
  usdPerMonth,
} from '../performance/index.js';
import type { CostConfig } from './config.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Reserved capacity (seed 000 §6.3.3): with a steady baseline over the look-back, commit the
 * replicas that ran the whole time and that demand needs even at its quietest hour. A no-upfront
 * commitment is billed for the whole term, so it breaks even after term × reserved / on-demand
 * months of use; the 3-year term wins only where quoted and it saves more per month.
 */
export function reservedCapacity(obs: Observation, cfg: CostConfig): Candidate[] {
  const inst = dominantInstance(obs);
  const s = sizingOf(obs, cfg);
  const all = activePoints(obs, Number.MAX_SAFE_INTEGER);
  if (!inst || !s || all.length < 2) return [];
  const spanDays = (all.at(-1)!.ts - all[0]!.ts) / DAY_MS;
  if (spanDays < cfg.reserved.minHistoryDays) return [];
  const type = obs.prices.instanceTypes.find((t) => t.id === inst.instanceType);
  const od = type?.usdPerHour.on_demand;
  const r1 = type?.usdPerHour.reserved;
  const onDemandNodes = obs.inventory.filter(
    (n) => n.instanceType === inst.instanceType && n.purchaseOption === 'on_demand'
  );
  if (!type || od === undefined || r1 === undefined || onDemandNodes.length === 0) return [];
  // hourly means: the baseline is about hours and days, not 10-second noise
  const hourly = new Map<number, number[]>();
  for (const p of arrivalSeries(all)) {
    const h = Math.floor(p.ts / HOUR_MS);
    hourly.set(h, [...(hourly.get(h) ?? []), p.value]);
  }
  const hours = [...hourly.values()].map(mean);
  const cv = stdDev(hours) / mean(hours);
  if (!(cv <= cfg.reserved.maxHourlyCv)) return [];
  const minUp = Math.min(...all.map((p) => p.replicasUp));
  // the quietest hours (p5, so one empty start-up hour is not the baseline)
  const quiet = percentile(hours, 0.05);
  const baselineNeed = s.needed(quiet);
  const count = Math.min(onDemandNodes.length, minUp, baselineNeed);
  if (count < 1) return [];
  const terms = [{ months: cfg.reserved.termMonths, usdPerHour: r1, label: '1-year' }];
  if (type.reserved3yUsdPerHour !== undefined) {
    terms.push({ months: cfg.reserved.term3yMonths, usdPerHour: type.reserved3yUsdPerHour, label: '3-year' });
  }
  const best = terms
    .filter((t) => t.usdPerHour < od)
    .sort((a, b) => b.months - a.months)
    .reduce<(typeof terms)[number] | undefined>(
      (a, t) => (!a || od - t.usdPerHour > od - a.usdPerHour ? t : a),
      undefined
    );
  if (!best) return [];
  const saving = count * (od - best.usdPerHour);
  const breakEvenMonths = (best.months * best.usdPerHour) / od;
  const commitmentUsd = count * best.usdPerHour * (best.months / 12) * 8760;
  const nodes = [...onDemandNodes]
    .sort((a, b) => a.node.localeCompare(b.node))
    .slice(0, count)
    .map((n) => n.node);
  return [
    {
      strategy: 'cost.reserved-capacity',
      action: { kind: 'change_purchase_option', from: 'on_demand', to: 'reserved' },
      nodes,
      expectedImpact: { usd_per_month: round(-usdPerMonth(saving)) },
      // seed 000 §6.3.3: 0.9 for stable workloads; less the less steady the baseline
      confidence: round(0.9 - cv, 2),
      risk: 'high',
      evidence: [
        { metric: 'history', value: round(spanDays, 1), unit: 'days', note: `needs ${cfg.reserved.minHistoryDays}` },
        {
          metric: 'hourly demand CV',
          value: round(cv, 3),
          unit: 'ratio',
          note: `steady at ≤ ${cfg.reserved.maxHourlyCv}`,
        },
        {
          metric: 'quietest hour demand',
          value: round(Math.min(...hours)),
          unit: 'req/s',
          note: `needs ${baselineNeed} replicas`,
        },
        { metric: 'fewest replicas up', value: minUp },
        {
          metric: 'commitment',
          value: round(commitmentUsd),
          unit: 'USD',
          note: `${count} × ${best.label} at ${best.usdPerHour} USD/h, billed used or not`,
        },
        {
          metric: 'break-even',
          value: round(breakEvenMonths, 2),
          unit: 'months',
          note: `${best.months}-month term × ${best.usdPerHour} / ${od} on-demand`,
        },
        { metric: 'saving', value: round(usdPerMonth(saving)), unit: 'USD/month', note: '730 h/month' },
      ],
      // the commitment stays billed: rolling back only moves the nodes off it
      rollback: { kind: 'change_purchase_option', from: 'reserved', to: 'on_demand' },
      verifyWindowS: cfg.verifyWindowS.purchase,
      summary:
        `Commit ${count} ${inst.instanceType} node(s) to a ${best.label} reservation, saving $${round(usdPerMonth(saving))}/month; ` +
        `it breaks even after ${round(breakEvenMonths, 1)} months of use (demand steady over ${round(spanDays, 1)} days).`,
    },
  ];
}
