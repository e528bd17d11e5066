import type { RiskLevel } from '../../schemas/index.js';
import type { Observation } from '../agent/analysis.js';
import type { ResourceConfig } from './resource-config.js';

/** A flag a node runs with (vLLM arg name without dashes), from the edge's engine config. */
export function engineArg(obs: Observation, node: string, flag: string): string | number | boolean | undefined {
  return obs.engineArgs?.[node]?.[flag];
}

/** Replicas the workload has now: nodes up in the newest interval, else nodes seen. */
export function replicasOf(obs: Observation, nodesSeen: number): number {
  return obs.history.at(-1)?.replicasUp ?? nodesSeen;
}

/** DESIGN.md "Supervisor": low ≤ 10% of capacity and no money committed, high > 50%, medium otherwise. */
export function riskOfShare(share: number, cfg: ResourceConfig, commitsMoney = false): RiskLevel {
  if (share > cfg.highRiskShare) return 'high';
  if (share <= cfg.lowRiskShare && !commitsMoney) return 'low';
  return 'medium';
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export const roundUp = (x: number, step: number): number => Math.ceil(x / step) * step;
