import { z } from 'zod';
import { count, entityId, purchaseOption, ratio } from './common.js';
import { decisionV1 } from './decision.v1.js';
import { defineMessage } from './registry.js';

/** One step of a gradual rollout: cumulative share and replicas changed once it is verified. */
export const rolloutStep = z.object({ share: ratio, replicas: count });

/**
 * v1 plus what v1 carried only in headers or not at all: whether executors act, joint
 * resolutions (added capacity on spot; KV offload first), the rollout steps, and how a
 * pre-empted in-flight action is undone. Every v1 field keeps its meaning.
 */
export const decisionV2 = defineMessage({
  id: 'oi.dec.decision.v2',
  description:
    'The supervisor rules on a proposal (v1 plus execute, joint resolution, rollout steps and pre-emption undo); ' +
    'executors act only on execute=true with a current epoch.',
  data: decisionV1.data.extend({
    execute: z.boolean().describe('executors act only when true (approved, not shadowed, guardrails passed)'),
    capacity: z
      .object({ purchase_option: purchaseOption, why: z.string().min(1).max(2000) })
      .optional()
      .describe('joint resolution: the capacity this action adds runs on this purchase option'),
    after: z
      .object({ proposal_id: entityId, why: z.string().min(1).max(2000) })
      .optional()
      .describe('joint resolution: run only once this proposal’s action is verified (e.g. KV offload first)'),
    rollout: z
      .object({
        total_replicas: count,
        steps: z.array(rolloutStep).min(1).max(20),
        current: count.describe('index of the step to carry out now; steps.length once all are verified'),
        status: z.enum(['running', 'done', 'rolled_back']),
      })
      .optional()
      .describe('gradual rollout (10% → 50% → 100% by default), each step verified before the next'),
    undo: z
      .enum(['cancel', 'rollback'])
      .optional()
      .describe('verdict preempted: cancel a pending action, roll back an executing one'),
  }),
});
export type DecisionV2 = z.infer<typeof decisionV2.data>;

/** A v1 decision as v2 (execute from the `Oi-Execute` header, true when absent). */
export function decisionToV2(d: z.infer<typeof decisionV1.data>, execute = true): DecisionV2 {
  return { ...d, execute: execute && d.verdict === 'approved' };
}
