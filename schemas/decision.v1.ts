import { z } from 'zod';
import { actionSpec, resourceKind } from './actions.v1.js';
import { count, entityId, seconds } from './common.js';
import { defineMessage } from './registry.js';
import { operatingMode, workloadId } from './workload.v1.js';

export const verdict = z.enum(['approved', 'rejected', 'pending_approval', 'preempted', 'shadowed']);
export type Verdict = z.infer<typeof verdict>;

export const decisionV1 = defineMessage({
  id: 'oi.dec.decision.v1',
  description: 'The supervisor rules on a proposal; executors act only on approved decisions with a current epoch.',
  data: z.object({
    decision_id: entityId,
    proposal_id: entityId,
    workload: workloadId,
    verdict,
    reason: z.string().min(1).max(4000),
    action: actionSpec,
    epoch: count.describe('fencing epoch the decision was taken under; receivers refuse lower ones'),
    lock: z
      .object({ resource: resourceKind, ttl_s: seconds })
      .optional()
      .describe('action lock the winner holds on the resource'),
    preempted_by: entityId.optional().describe('proposal that won over this one (verdict preempted)'),
    decided_by: z.string().min(1).max(200).describe('"supervisor", or the id of the approving operator'),
    mode: operatingMode.describe('operating mode of the workload when decided'),
  }),
});
export type Decision = z.infer<typeof decisionV1.data>;
