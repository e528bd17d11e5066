import { z } from 'zod';
import { resourceKind } from './actions.v1.js';
import { entityId, timestamp } from './common.js';
import { priorityClass } from './proposal.v1.js';
import { defineMessage } from './registry.js';
import { verdict } from './decision.v1.js';
import { operatingMode, workloadId } from './workload.v1.js';

/**
 * Operator commands of the priority protocol (DESIGN.md "Supervisor"): approve or reject a
 * pending proposal, list what waits, change a workload's operating mode, and the fleet-wide
 * pause switch. The caller's identity comes from the request (`Oi-Caller`), not the payload.
 */

const operator = z.string().min(1).max(200);
const fate = z.enum(['decided', 'rejected', 'expired', 'superseded', 'pending']);

export const approveDecisionV1 = defineMessage({
  id: 'oi.cmd.decision.approve.v1',
  description: 'Approve a proposal awaiting approval (oi.v1.cmd.decision.approve). Reply: oi.cmd.decision.verdict.v1.',
  data: z.object({ proposal_id: entityId }),
});

export const rejectDecisionV1 = defineMessage({
  id: 'oi.cmd.decision.reject.v1',
  description: 'Turn down a proposal awaiting approval (oi.v1.cmd.decision.reject). Reply: oi.cmd.decision.verdict.v1.',
  data: z.object({ proposal_id: entityId, reason: z.string().min(1).max(2000) }),
});

export const listDecisionsV1 = defineMessage({
  id: 'oi.cmd.decision.list.v1',
  description: 'List proposals awaiting approval (oi.v1.cmd.decision.list). Reply: oi.cmd.decision.page.v1.',
  data: z.object({
    workload: workloadId.optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
});

export const decisionVerdictV1 = defineMessage({
  id: 'oi.cmd.decision.verdict.v1',
  description: 'Reply to approve / reject: where the proposal stands after the operator verdict.',
  data: z.object({
    proposal_id: entityId,
    workload: workloadId,
    fate,
    verdict: verdict.optional().describe('verdict of the decision the command produced, if any'),
    decision_id: entityId.optional(),
    execute: z.boolean().describe('executors act on it (approved and every guardrail passed)'),
    by: operator.describe('the operator the supervisor recorded'),
    reason: z.string().min(1).max(4000),
  }),
});

export const decisionPageV1 = defineMessage({
  id: 'oi.cmd.decision.page.v1',
  description: 'Reply to oi.v1.cmd.decision.list: proposals awaiting approval, oldest first.',
  data: z.object({
    items: z.array(
      z.object({
        proposal_id: entityId,
        decision_id: entityId,
        workload: workloadId,
        resource: resourceKind,
        priority_class: priorityClass,
        action: z.string().min(1).max(2000),
        reason: z.string().min(1).max(4000),
        decided_at: timestamp,
        expires_at: timestamp.describe('the approval expires at this event time'),
      })
    ),
  }),
});

export const setWorkloadModeV1 = defineMessage({
  id: 'oi.cmd.workload.set_mode.v1',
  description: "Change a workload's operating mode (oi.v1.cmd.workload.set-mode). Reply: oi.cmd.workload.mode.v1.",
  data: z.object({ workload: workloadId, mode: operatingMode }),
});

export const workloadModeV1 = defineMessage({
  id: 'oi.cmd.workload.mode.v1',
  description: 'Reply to oi.v1.cmd.workload.set-mode: the mode now in force and the one before.',
  data: z.object({
    workload: workloadId,
    mode: operatingMode,
    previous: operatingMode,
    set_by: operator,
  }),
});

export const pauseFleetV1 = defineMessage({
  id: 'oi.cmd.fleet.pause.v1',
  description: 'Pause every execution fleet-wide (oi.v1.cmd.fleet.pause). Reply: oi.cmd.fleet.state.v1.',
  data: z.object({ reason: z.string().min(1).max(2000) }),
});

export const resumeFleetV1 = defineMessage({
  id: 'oi.cmd.fleet.resume.v1',
  description: 'Lift the fleet-wide pause (oi.v1.cmd.fleet.resume). Reply: oi.cmd.fleet.state.v1.',
  data: z.object({ reason: z.string().min(1).max(2000).optional() }),
});

export const fleetStateV1 = defineMessage({
  id: 'oi.cmd.fleet.state.v1',
  description: 'Reply to oi.v1.cmd.fleet.pause / resume: the pause switch as it now stands.',
  data: z.object({
    paused: z.boolean(),
    by: operator,
    at: timestamp.describe('event time from which it holds'),
    reason: z.string().min(1).max(2000).optional(),
  }),
});
