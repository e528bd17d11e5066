import { z } from 'zod';
import { count, purchaseOption } from './common.js';

/**
 * What an agent may ask to change: shared by proposals, their rollback plans and decisions,
 * so the supervisor hands on exactly what was proposed.
 */

/** Resources the supervisor locks and arbitrates on (DESIGN.md "Supervisor"). */
export const resourceKind = z.enum([
  'replicas',
  'instance_type',
  'purchase_option',
  'engine_config',
  'routing',
  'context_limits',
]);
export type ResourceKind = z.infer<typeof resourceKind>;

const instanceType = z.string().min(1).max(100);

export const engineFlagValue = z
  .union([z.string().max(2000), z.number(), z.boolean(), z.null()])
  .describe('null removes the flag, so the engine default applies');

export const actionSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scale_replicas'), from: count.max(10_000), to: count.max(10_000) }),
  z.object({ kind: z.literal('change_instance_type'), from: instanceType, to: instanceType }),
  z.object({ kind: z.literal('change_purchase_option'), from: purchaseOption, to: purchaseOption }),
  z.object({
    kind: z.literal('reconfigure_engine'),
    changes: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a vLLM engine arg without dashes in front, e.g. max-num-seqs'),
        engineFlagValue
      )
      .refine((c) => Object.keys(c).length > 0, 'at least one flag must change')
      .describe('vLLM engine arg (without leading --) → new value'),
  }),
  z.object({
    kind: z.literal('set_routing'),
    policy: z.enum(['round_robin', 'least_loaded', 'prefix_affinity', 'kv_aware', 'weighted']),
    weights: z
      .record(z.string().min(1).max(200), z.number().min(0))
      .optional()
      .describe('relative share per target (node or model); the router normalises them'),
  }),
  z.object({ kind: z.literal('set_context_limit'), max_model_len: z.number().int().min(1).max(10_000_000) }),
  z.object({
    kind: z.literal('enable_kv_offload'),
    cpu_gib: z.number().positive().max(16_384).describe('CPU memory for offloaded KV blocks, across TP ranks'),
    disk_gib: z.number().positive().max(1_048_576).optional(),
  }),
]);
export type ActionSpec = z.infer<typeof actionSpec>;
export type ActionKind = ActionSpec['kind'];

/** The resource each action kind changes; a proposal naming another resource is refused. */
export const ACTION_RESOURCE = {
  scale_replicas: 'replicas',
  change_instance_type: 'instance_type',
  change_purchase_option: 'purchase_option',
  reconfigure_engine: 'engine_config',
  set_routing: 'routing',
  set_context_limit: 'context_limits',
  enable_kv_offload: 'engine_config',
} as const satisfies Record<ActionKind, ResourceKind>;

export function resourceOf(action: ActionSpec): ResourceKind {
  return ACTION_RESOURCE[action.kind];
}
