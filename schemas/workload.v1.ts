import { z } from 'zod';
import { TOKEN_PATTERN } from './subjects.js';
import { defineMessage } from './registry.js';

export const workloadId = z
  .string()
  .regex(TOKEN_PATTERN, 'workload id: letters, digits, _ and -, 1-64 chars (it becomes a subject token)');

export const operatingMode = z.enum(['advisory', 'semi', 'auto', 'shadow']);

export const sloSpec = z.object({
  ttft_p95_ms: z.number().positive().max(600_000).optional(),
  tpot_mean_ms: z.number().positive().max(10_000).optional(),
  e2e_p95_ms: z.number().positive().max(3_600_000).optional(),
  /** Share of requests that must meet the SLO, 0-1. */
  attainment: z.number().min(0).max(1).default(0.99),
});

export const constraintsSpec = z.object({
  max_cost_increase_pct: z.number().min(0).max(1000).optional(),
  min_slo_attainment: z.number().min(0).max(1).optional(),
  allowed_instance_types: z.array(z.string().min(1)).optional(),
  spot_allowed: z.boolean().default(false),
});

/** What an operator gives to register a workload. */
export const workloadSpec = z.object({
  workload: workloadId,
  name: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  engine: z.enum(['vllm', 'sim']).default('vllm'),
  mode: operatingMode.default('advisory'),
  privacy_tier: z.number().int().min(1).max(3).default(1),
  slo: sloSpec.default({ attainment: 0.99 }),
  constraints: constraintsSpec.default({ spot_allowed: false }),
  labels: z.record(z.string().max(63), z.string().max(200)).default({}),
  /** Added inside v1 (optional); register.v2 requires it. */
  owner: z.string().min(1).max(200).optional().describe('team or person accountable for the workload'),
});
export type WorkloadSpec = z.infer<typeof workloadSpec>;

/** A workload as stored. */
export const workloadRecord = workloadSpec.extend({
  revision: z.number().int().positive(),
  registered_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  /** Envelope id of the command that last changed it. */
  last_command: z.string(),
});
export type WorkloadRecord = z.infer<typeof workloadRecord>;

export const registerWorkloadV1 = defineMessage({
  id: 'oi.cmd.workload.register.v1',
  description: 'Register a workload (idempotent on the envelope id). Reply: oi.cmd.workload.record.v1.',
  data: workloadSpec,
});

export const updateWorkloadV1 = defineMessage({
  id: 'oi.cmd.workload.update.v1',
  description: 'Change fields of a registered workload; optional expected revision for optimistic concurrency.',
  data: workloadSpec
    .omit({ workload: true })
    .partial()
    .extend({ workload: workloadId, expected_revision: z.number().int().positive().optional() }),
});

export const getWorkloadV1 = defineMessage({
  id: 'oi.cmd.workload.get.v1',
  description: 'Fetch one workload. Reply: oi.cmd.workload.record.v1.',
  data: z.object({ workload: workloadId }),
});

export const listWorkloadsV1 = defineMessage({
  id: 'oi.cmd.workload.list.v1',
  description: 'List workloads, ordered by id, paged by cursor. Reply: oi.cmd.workload.page.v1.',
  data: z.object({
    mode: operatingMode.optional(),
    after: workloadId.optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
});

export const workloadRecordV1 = defineMessage({
  id: 'oi.cmd.workload.record.v1',
  description: 'Reply carrying one stored workload.',
  data: workloadRecord,
});

export const workloadPageV1 = defineMessage({
  id: 'oi.cmd.workload.page.v1',
  description: 'Reply carrying a page of workloads and the cursor for the next.',
  data: z.object({ items: z.array(workloadRecord), next: workloadId.optional() }),
});

export const workloadRegisteredV1 = defineMessage({
  id: 'oi.evt.workload.registered.v1',
  description: 'A workload was registered (oi.v1.evt.workload.registered.<workload>).',
  data: workloadRecord,
});

export const workloadUpdatedV1 = defineMessage({
  id: 'oi.evt.workload.updated.v1',
  description: 'A workload changed (oi.v1.evt.workload.updated.<workload>).',
  data: workloadRecord.extend({ changed: z.array(z.string()) }),
});
