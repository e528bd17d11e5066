import { z } from 'zod';
import { issuesOf, describeIssues } from '../../schemas/index.js';
import { maintenancePolicySpec } from './maintenance-window.js';
import { DEFAULT_ROLLOUT_SHARES, checkShares } from './rollout-plan.js';

const HOUR_MS = 3_600_000;

/** Limits above every operating mode (DESIGN.md "Guardrails above all modes"). */
export const guardrailConfigSpec = z.object({
  maxActionsPerHourPerWorkload: z.number().int().min(0).default(6),
  maxActionsPerHourFleet: z.number().int().min(0).default(60),
  /**
   * Share of a workload's replicas that may be changing at once; at least one replica always
   * may. 0.5 lets every step of the default 10% → 50% → 100% rollout through on its own.
   */
  maxCapacityShareAtOnce: z.number().gt(0).max(1).default(0.5),
  /** Sum of accepted monthly spend increases (USD/month) allowed per rolling period, fleet-wide. */
  spendCapUsdPerMonth: z.number().min(0).default(5_000),
  spendPeriodMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(30 * 24 * HOUR_MS),
  /** Per-workload maintenance windows; a workload without one may act at any time. */
  maintenance: z.record(z.string(), maintenancePolicySpec).default({}),
  rollout: z
    .object({
      /** Changes to at least this many replicas roll out gradually. */
      minReplicas: z.number().int().min(2).default(4),
      shares: z
        .array(z.number())
        .default([...DEFAULT_ROLLOUT_SHARES])
        .superRefine((shares, ctx) => {
          try {
            checkShares(shares);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        }),
    })
    .default({ minReplicas: 4, shares: [...DEFAULT_ROLLOUT_SHARES] }),
});
export type GuardrailConfig = z.infer<typeof guardrailConfigSpec>;
export type GuardrailConfigInput = z.input<typeof guardrailConfigSpec>;

/** Parses a guardrail config, throwing a RangeError that names each field and rule. */
export function parseGuardrailConfig(input: GuardrailConfigInput = {}): GuardrailConfig {
  const parsed = guardrailConfigSpec.safeParse(input);
  if (!parsed.success) throw new RangeError(`guardrail config: ${describeIssues(issuesOf(parsed.error))}`);
  return parsed.data;
}
