import {
  DEFAULT_PERFORMANCE_CONFIG,
  type CapacityOptions,
  type HoltOptions,
  type RiskThresholds,
} from '../performance/index.js';

/** Thresholds of the cost agent's analyzers; every default names its source. */
export interface CostConfig {
  capacity: CapacityOptions;
  /** Capacity kept free when sizing. */
  headroom: number;
  queueWaitShareOfTtft: number;
  defaultTtftTargetMs: number;
  defaultProvisionDelayS: number;
  decisionDelayS: number;
  forecast: HoltOptions & { historyPoints: number; minPoints: number };
  scaleDown: {
    /** Interval SLO attainment at or above which removing replicas is considered. */
    minAttainment: number;
    /** Demand percentile the fleet is sized for (of the window's arrival rates). */
    demandPercentile: number;
    minPoints: number;
  };
  autoscaling: {
    /** Percentile of demand the minimum replica count serves. */
    minPercentile: number;
    /** Replicas above the peak's need the maximum keeps. */
    maxBuffer: number;
  };
  spot: {
    /** Monthly interruption probability below which spot is low risk. */
    lowRiskMonthly: number;
    /** At or above it spot is high risk, and nodes on spot fall back to on-demand. */
    highRiskMonthly: number;
    /** On-demand replicas kept as the fallback base. */
    onDemandBaseReplicas: number;
    /** Spot notice, s (the replacement must be serving within it, or be pre-spun). */
    noticeS: number;
  };
  rightSizing: { sameProviderOnly: boolean; minSavingsShare: number };
  reserved: {
    minHistoryDays: number;
    /** Coefficient of variation of hourly demand at or below which the baseline counts as steady. */
    maxHourlyCv: number;
    termMonths: number;
    term3yMonths: number;
  };
  risk: RiskThresholds;
  verifyWindowS: { scale: number; purchase: number; instanceType: number };
}

const perf = DEFAULT_PERFORMANCE_CONFIG;

export const DEFAULT_COST_CONFIG: CostConfig = {
  // the same observed-capacity model as the performance agent, so neither undoes the other
  capacity: perf.capacity,
  headroom: perf.headroom, // seed 000 §6.3.2: 20% headroom
  queueWaitShareOfTtft: perf.queueWaitShareOfTtft,
  defaultTtftTargetMs: perf.defaultTtftTargetMs,
  defaultProvisionDelayS: perf.defaultProvisionDelayS, // WVA doc / Karpenter #3777 (published-results.md §6)
  decisionDelayS: perf.decisionDelayS,
  forecast: perf.forecast,
  scaleDown: {
    // seed 000 §7.3.2: scale down only with SLO compliance > 98%
    minAttainment: 0.98,
    // seed 000 §6.3.2: size on p95 utilisation
    demandPercentile: 0.95,
    minPoints: 12,
  },
  autoscaling: {
    // seed 000 §6.3.4: p25 scale-down threshold; the minimum serves the quiet quarter
    minPercentile: 0.25,
    // seed 000 §6.3.4: max_instances = peak_required + 2
    maxBuffer: 2,
  },
  spot: {
    // seed 000 §6.3.1 calculate_risk_level: < 5% low, 5–15% medium, ≥ 15% high
    lowRiskMonthly: 0.05,
    highRiskMonthly: 0.15,
    // SkyServe SpotHedge keeps on-demand fallback capacity (published-results.md §5)
    onDemandBaseReplicas: 1,
    // AWS 2-minute spot notice (sim/cloud SIM_CLOUD_ASSUMPTIONS.interruptionNoticeSec)
    noticeS: 120,
  },
  // assumption: moving providers is a migration, not a right-size; 10% keeps churn for crumbs away
  rightSizing: { sameProviderOnly: true, minSavingsShare: 0.1 },
  reserved: {
    // AWS Cost Explorer RI recommendations look back 7, 30 or 60 days; 30 is the middle option
    minHistoryDays: 30,
    // assumption: hourly demand within ±25% (1σ) of its mean is a steady baseline
    maxHourlyCv: 0.25,
    // 1-year term = 8,760 h (sim/cloud reservedTermSec); 3-year where the provider quotes one
    termMonths: 12,
    term3yMonths: 36,
  },
  risk: perf.risk, // DESIGN.md "Supervisor"
  // seed 000 §6.3.1: monitor a spot migration for 1 hour
  verifyWindowS: { scale: 1800, purchase: 3600, instanceType: 3600 },
};
