import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * A simulated fleet (`fleet.yaml`): one workload served by replicas, each on one cloud instance
 * running one engine. Unknown keys are refused so a typo cannot silently fall back to a default.
 */
export const fleetSpecSchema = z
  .object({
    workload: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -'),
    seed: z.number().int().nonnegative().default(1),
    /** Event time of simulated second 0. */
    start: z.iso.datetime().default('2026-01-01T00:00:00Z'),
    telemetryIntervalSec: z.number().positive().max(3_600).default(10),
    routing: z.enum(['round_robin', 'weighted', 'least_loaded', 'kv_aware', 'prefix_affinity']).default('least_loaded'),
    slo: z
      .strictObject({
        ttftSec: z.number().positive().default(3),
        tpotSec: z.number().positive().default(0.1),
      })
      .prefault({}),
    cloud: z
      .strictObject({
        /** One rate for every spot instance; default: each type's published bucket. */
        spotInterruptionsPerHour: z.number().nonnegative().optional(),
      })
      .prefault({}),
    replicas: z
      .array(
        z.strictObject({
          node: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -'),
          instanceType: z.string().min(1),
          purchaseOption: z.enum(['on_demand', 'spot', 'reserved']).default('on_demand'),
          zone: z.string().min(1).optional(),
          model: z.string().min(1),
          engine: z
            .strictObject({
              gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
              maxNumSeqs: z.number().int().positive().optional(),
              maxNumBatchedTokens: z.number().int().positive().optional(),
              maxModelLen: z.number().int().positive().optional(),
              kvCacheDtype: z.enum(['auto', 'fp8']).optional(),
              enablePrefixCaching: z.boolean().optional(),
              tensorParallelSize: z.number().int().positive().optional(),
            })
            .prefault({}),
        })
      )
      .min(1)
      .max(1_024),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.replicas.forEach((r, i) => {
      if (seen.has(r.node))
        ctx.addIssue({ code: 'custom', path: ['replicas', i, 'node'], message: `duplicate node ${r.node}` });
      seen.add(r.node);
    });
  });

export type FleetSpec = z.output<typeof fleetSpecSchema>;
export type FleetSpecInput = z.input<typeof fleetSpecSchema>;

/** Parses a fleet spec; throws naming the file, field and rule. */
export function parseFleetSpec(input: unknown, file = 'fleet spec'): FleetSpec {
  const r = fleetSpecSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(`${file}: ${issues}`);
}

export async function loadFleetSpec(path: string): Promise<FleetSpec> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read the fleet spec: ${(err as Error).message}`, { cause: err });
  }
  return parseFleetSpec(raw, path);
}
