import { z } from 'zod';
import { TOKEN_PATTERN, type AgentKind } from './subjects.js';

/** Building blocks shared by the domain schemas; bounds live here so every message agrees. */

export const nodeId = z
  .string()
  .regex(TOKEN_PATTERN, 'node id: letters, digits, _ and -, 1-64 chars (it becomes a subject token)');

/** Ids of proposals, decisions and actions: same alphabet as envelope ids, so either can be one. */
export const entityId = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'id may hold letters, digits and . _ : - only');

export const timestamp = z.iso.datetime({ offset: true });

export const ratio = z.number().min(0).max(1);
export const percent = z.number().min(0).max(100);
export const nonNegative = z.number().min(0);
export const count = z.number().int().min(0);
export const seconds = z.number().positive().max(31_536_000);

export const agentKind = z.enum(['cost', 'performance', 'resource', 'application']);
// keeps the zod enum and the subject builder's type in step
const _agentKindMatches: [AgentKind] extends [z.infer<typeof agentKind>]
  ? [z.infer<typeof agentKind>] extends [AgentKind]
    ? true
    : never
  : never = true;
void _agentKindMatches;

export const purchaseOption = z.enum(['on_demand', 'spot', 'reserved']);
export type PurchaseOption = z.infer<typeof purchaseOption>;

/** Latency quantiles over a window; producers derive them from histograms, so they are ordered. */
export const quantilesMs = z
  .object({ p50: nonNegative, p95: nonNegative, p99: nonNegative })
  .refine((q) => q.p50 <= q.p95 && q.p95 <= q.p99, { message: 'quantiles must satisfy p50 <= p95 <= p99' });
export type QuantilesMs = z.infer<typeof quantilesMs>;

/** Scalar attribute values: enough for labels and numbers, never nested objects. */
export const scalar = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
