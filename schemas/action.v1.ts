import { z } from 'zod';
import { count, entityId, nodeId, timestamp } from './common.js';
import { defineMessage } from './registry.js';
import { workloadId } from './workload.v1.js';

/** Dotted lowercase tokens; each token becomes a subject token of `oi.v1.act.<node>.<verb…>`. */
export const actionVerb = z
  .string()
  .max(128)
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/, 'verb: dotted lowercase tokens, e.g. engine.reconfigure')
  .describe('e.g. engine.launch, engine.reconfigure, engine.drain, engine.rollback');

export const actionV1 = defineMessage({
  id: 'oi.act.action.v1',
  description: 'An executor tells one gpu-edge actor to do one thing to its engine.',
  data: z.object({
    action_id: entityId,
    decision_id: entityId,
    node: nodeId,
    workload: workloadId,
    verb: actionVerb,
    params: z.record(z.string().min(1).max(128), z.unknown()).describe('verb-specific; the edge adapter validates'),
    epoch: count.describe('fencing epoch of the decision; the edge refuses one lower than it has seen'),
    deadline: timestamp.describe('event time after which the edge must not start it'),
  }),
});
export type ActionRequest = z.infer<typeof actionV1.data>;

const metricSnapshot = z.record(z.string().min(1).max(200), z.number());

export const actionResultV1 = defineMessage({
  id: 'oi.act.result.v1',
  description: 'What became of an action on the edge, with metrics around it for outcome verification.',
  data: z.object({
    action_id: entityId,
    decision_id: entityId,
    node: nodeId,
    workload: workloadId,
    status: z.enum(['succeeded', 'failed', 'rolled_back']),
    detail: z.string().max(4000),
    metrics_before: metricSnapshot.optional(),
    metrics_after: metricSnapshot.optional(),
  }),
});
export type ActionResult = z.infer<typeof actionResultV1.data>;
