import { z } from 'zod';
import { ACTION_RESOURCE, actionSpec, resourceKind } from './actions.v1.js';
import { agentKind, count, entityId, nodeId, ratio, seconds, timestamp } from './common.js';
import { defineMessage } from './registry.js';
import { workloadId } from './workload.v1.js';

export const riskLevel = z
  .enum(['low', 'medium', 'high'])
  .describe('low: reversible in minutes, ≤10% of capacity, no money committed; high: a purchase or >50% of capacity');
export type RiskLevel = z.infer<typeof riskLevel>;

export const priorityClass = z
  .enum(['operator', 'quality', 'slo', 'resource', 'cost'])
  .describe('arbitration rank, highest first (DESIGN.md "the priority protocol")');
export type PriorityClass = z.infer<typeof priorityClass>;

export const evidenceItem = z.object({
  metric: z.string().min(1).max(200).describe('what was measured, e.g. vllm:kv_cache_usage_perc p95'),
  value: z.number(),
  unit: z.string().max(32).optional(),
  window_s: seconds.optional(),
  note: z.string().max(1000).optional(),
});
export type EvidenceItem = z.infer<typeof evidenceItem>;

export const expectedImpact = z.object({
  usd_per_month: z.number().describe('change in monthly spend: negative saves money'),
  slo_attainment_delta: z.number().min(-1).max(1).optional().describe('change in the share of requests meeting SLO'),
  gpu_memory_gib_delta: z.number().optional().describe('change in GPU memory needed; negative frees memory'),
});

export const proposalV1 = defineMessage({
  id: 'oi.rec.proposal.v1',
  description: 'An agent proposes one change to one resource of a workload, with its numbers and a way back.',
  data: z
    .object({
      proposal_id: entityId,
      agent: agentKind,
      workload: workloadId,
      resource: resourceKind,
      action: actionSpec,
      target: z.object({
        workload: workloadId,
        nodes: z.array(nodeId).min(1).max(1024).optional().describe('absent: the whole workload'),
      }),
      expected_impact: expectedImpact,
      confidence: ratio,
      risk: riskLevel,
      priority_class: priorityClass,
      evidence: z.array(evidenceItem).min(1).max(100),
      rollback_plan: z.object({
        action: actionSpec.describe('undoes `action`; applied when verification finds a regression'),
        verify_window_s: seconds.describe('how long to watch the outcome before calling it kept'),
      }),
      epoch: count.describe('fencing epoch of the partition lease the agent held'),
      expires_at: timestamp.describe('event time after which the supervisor ignores it'),
      explanation: z.string().min(1).max(8000),
      explained_by: z.enum(['llm', 'template']).optional().describe('whether an LLM wrote the explanation'),
    })
    .superRefine((p, ctx) => {
      if (ACTION_RESOURCE[p.action.kind] !== p.resource) {
        ctx.addIssue({
          code: 'custom',
          path: ['resource'],
          message: `action ${p.action.kind} changes ${ACTION_RESOURCE[p.action.kind]}, not ${p.resource}`,
        });
      }
      if (ACTION_RESOURCE[p.rollback_plan.action.kind] !== p.resource) {
        ctx.addIssue({
          code: 'custom',
          path: ['rollback_plan', 'action', 'kind'],
          message: `a rollback must change the same resource (${p.resource})`,
        });
      }
      if (p.target.workload !== p.workload) {
        ctx.addIssue({ code: 'custom', path: ['target', 'workload'], message: 'must equal workload' });
      }
    }),
});
export type Proposal = z.infer<typeof proposalV1.data>;
