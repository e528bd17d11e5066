import { z } from 'zod';
import { describeIssues, issuesOf } from '../../schemas/index.js';
import { riskConfigSpec } from './risk.js';

const MINUTE_MS = 60_000;

export const arbiterConfigSpec = z.object({
  /** Proposals for one workload arriving within this much event time are arbitrated together. */
  windowMs: z.number().int().positive().default(30_000),
  /** How long a winner holds its action lock once executing (at least its verify window). */
  lockTtlMs: z
    .number()
    .int()
    .positive()
    .default(15 * MINUTE_MS),
  /** How long a pending approval waits (never past the proposal's own `expires_at`). */
  approvalTtlMs: z
    .number()
    .int()
    .positive()
    .default(24 * 60 * MINUTE_MS),
  /** Spot price discount against on-demand (seed 000 §4.5.2: "Migrate to spot (70% savings)"). */
  spotDiscount: z.number().min(0).max(1).default(0.7),
  /** Fencing epoch of the supervisor's lease, stamped on every decision. */
  epoch: z.number().int().min(0).default(0),
  risk: riskConfigSpec.default(riskConfigSpec.parse({})),
});
export type ArbiterConfig = z.infer<typeof arbiterConfigSpec>;
export type ArbiterConfigInput = z.input<typeof arbiterConfigSpec>;

export function parseArbiterConfig(input: ArbiterConfigInput = {}): ArbiterConfig {
  const parsed = arbiterConfigSpec.safeParse(input);
  if (!parsed.success) throw new RangeError(`arbiter config: ${describeIssues(issuesOf(parsed.error))}`);
  if (parsed.data.risk.lowMaxShare > parsed.data.risk.highMinShare) {
    throw new RangeError('arbiter config risk.lowMaxShare: must not exceed risk.highMinShare');
  }
  return parsed.data;
}
