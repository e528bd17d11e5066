import type { CapacityOptions } from './model/capacity.js';
import type { HoltOptions } from './model/holt.js';
import type { RiskThresholds } from './model/money-risk.js';

/** Thresholds of the performance agent's analyzers; every default names its source. */
export interface PerformanceConfig {
  capacity: CapacityOptions;
  /** Capacity kept free when sizing: replicas run at ≤ (1 − headroom) of their capacity. */
  headroom: number;
  /** Mean queueing wait allowed, as a share of the TTFT target (the rest is prefill and decode). */
  queueWaitShareOfTtft: number;
  /** Used when the workload has no TTFT target, ms. */
  defaultTtftTargetMs: number;
  saturation: {
    kvUsage: number;
    waitingPerReplica: number;
    /** Consecutive newest intervals a signal must hold for, so one noisy scrape cannot scale. */
    recentPoints: number;
    /** Time in which the standing queue should drain once replicas are up, s. */
    backlogDrainS: number;
  };
  forecast: HoltOptions & { historyPoints: number; minPoints: number };
  /** Launch-to-serving delay when the provider quotes none, s. */
  defaultProvisionDelayS: number;
  /** From analysis to an approved, executing action, s. */
  decisionDelayS: number;
  batch: {
    /** A queue per replica at or above this, with the batch cap reached, means max-num-seqs binds. */
    waitingPerReplica: number;
    /** Running/max-num-seqs at or above this counts as the cap reached. */
    capReachedShare: number;
    /** ITL aimed at when lowering the batch, as a share of the TPOT target. */
    itlTargetShare: number;
  };
  routing: { imbalanceCv: number };
  risk: RiskThresholds;
  /** Watch time after the change is in place before it counts as kept, s. */
  verifyWindowS: { scale: number; engine: number; routing: number };
}

export const DEFAULT_PERFORMANCE_CONFIG: PerformanceConfig = {
  capacity: {
    // 5 min of 10 s intervals: long enough to smooth scrapes, short enough to react
    windowPoints: 30,
    // assumption: dense-bf16 MFU a vLLM replica reaches before queueing (prefill-heavy H100 runs sit near 0.5–0.7)
    mfuAtSaturation: 0.6,
    // llm-d WVA default KV-cache threshold 0.80 (published-results.md §6)
    kvTarget: 0.8,
    // llm-d WVA default queue-length threshold 5 (published-results.md §6)
    queuePerReplica: 5,
    // assumption: never credit a nearly idle window with more than 20× its throughput
    maxExtrapolation: 20,
  },
  // seed 000 §6.3.2: "20% headroom"
  headroom: 0.2,
  // assumption: queueing may take a quarter of the TTFT budget; prefill and network keep the rest
  queueWaitShareOfTtft: 0.25,
  // fleet spec default ttftSec 3 (sim/fleet/fleet-spec.ts) and WVA's 3000 ms TTFT SLO (PR #1376)
  defaultTtftTargetMs: 3000,
  saturation: {
    kvUsage: 0.8, // WVA default (published-results.md §6)
    waitingPerReplica: 5, // WVA default (published-results.md §6)
    recentPoints: 3,
    backlogDrainS: 300,
  },
  forecast: {
    // assumption: fast level, slow trend — a ramp shows within a minute, noise does not become a trend
    alpha: 0.5,
    beta: 0.2,
    // 3σ: the usual control-chart limit for "not noise"
    burstSigmas: 3,
    // the last 5 min; a slope 3 standard errors from 0 is a ramp, not Poisson noise
    trendPoints: 30,
    trendMinT: 3,
    historyPoints: 360,
    minPoints: 6,
  },
  // pod start 2–7 min (WVA doc), ML nodes 5–8 min (Karpenter #3777): published-results.md §6
  defaultProvisionDelayS: 300,
  // assumption: one arbitration window plus approval in semi/auto modes
  decisionDelayS: 60,
  batch: { waitingPerReplica: 1, capReachedShare: 0.95, itlTargetShare: 0.9 },
  // seed 000 §7.3.3: imbalance_score > 0.3
  routing: { imbalanceCv: 0.3 },
  // DESIGN.md "Supervisor": low ≤ 10% of capacity, high > 50%
  risk: { lowCapacityShare: 0.1, highCapacityShare: 0.5 },
  verifyWindowS: { scale: 600, engine: 900, routing: 600 },
};
