import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const purchaseOption = z.enum(['on_demand', 'spot', 'reserved']);
const positiveInt = z.number().int().positive();

/** `mission.yaml`: traces, model, what may be bought, the SLO and every baseline's settings. */
export const missionConfigSchema = z.strictObject({
  seed: z.number().int().nonnegative(),
  model: z.string().min(1),
  slo: z.strictObject({
    ttftSec: z.number().positive(),
    tpotSec: z.number().positive(),
    attainment: z.number().gt(0).max(1),
  }),
  telemetryIntervalSec: z.number().positive().max(3_600),
  routing: z.enum(['round_robin', 'weighted', 'least_loaded', 'kv_aware', 'prefix_affinity']),
  baseline: z.strictObject({ instanceType: z.string().min(1), purchaseOption }),
  allowed: z.strictObject({
    instanceTypes: z.array(z.string().min(1)).min(1),
    purchaseOptions: z.array(purchaseOption).min(1),
  }),
  traces: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -'),
        file: z.string().min(1),
        rateScale: z.number().positive().default(1),
        /** Seconds of trace from its first arrival; absent = the whole trace. */
        windowSec: z.number().positive().optional(),
        maxModelLen: positiveInt,
      })
    )
    .min(1),
  short: z.strictObject({
    windowSec: z.number().positive(),
    calibration: z.strictObject({
      requests: positiveInt,
      sustainSec: z.number().positive(),
      bisections: z.number().int().nonnegative(),
    }),
  }),
  calibration: z.strictObject({
    requests: positiveInt,
    sustainSec: z.number().positive(),
    bisections: z.number().int().nonnegative(),
    peakWindowSec: z.number().positive(),
  }),
  policies: z.strictObject({
    reactiveQueue: z.strictObject({
      targetWaiting: z.number().positive(),
      minReplicas: positiveInt,
      maxReplicas: positiveInt,
      tolerance: z.number().nonnegative(),
      scaleDownStabilizationSec: z.number().nonnegative(),
      scaleUpStabilizationSec: z.number().nonnegative(),
    }),
    saturation: z.strictObject({
      kvCacheThreshold: z.number().gt(0).max(1),
      queueLengthThreshold: z.number().positive(),
      kvSpareTrigger: z.number().nonnegative(),
      queueSpareTrigger: z.number().nonnegative(),
      intervalSec: z.number().positive(),
      windowSec: z.number().positive(),
      minReplicas: positiveInt,
      maxReplicas: positiveInt,
    }),
    oracle: z.strictObject({ slotSec: z.number().positive() }),
  }),
});

export type MissionConfig = z.output<typeof missionConfigSchema>;
export type MissionTrace = MissionConfig['traces'][number];

/** The committed `mission/mission.yaml`. */
export const DEFAULT_MISSION_FILE = fileURLToPath(new URL('./mission.yaml', import.meta.url));

/** Parses a mission config; throws naming the file, each field and its rule. */
export function parseMissionConfig(input: unknown, file = 'mission config'): MissionConfig {
  const r = missionConfigSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file}: ${issues}`);
  }
  const c = r.data;
  for (const [name, p] of Object.entries({
    reactiveQueue: c.policies.reactiveQueue,
    saturation: c.policies.saturation,
  })) {
    if (p.maxReplicas < p.minReplicas) {
      throw new Error(`${file}: policies.${name}.maxReplicas: must be ≥ minReplicas (${p.minReplicas})`);
    }
  }
  if (c.allowed.purchaseOptions.includes('reserved') || c.baseline.purchaseOption === 'reserved') {
    throw new Error(
      `${file}: allowed.purchaseOptions: reserved is not replayed (it needs a 1-year reservation bought first)`
    );
  }
  if (!c.allowed.instanceTypes.includes(c.baseline.instanceType)) {
    throw new Error(`${file}: baseline.instanceType: ${c.baseline.instanceType} must be one of allowed.instanceTypes`);
  }
  return c;
}

export async function loadMissionConfig(path = DEFAULT_MISSION_FILE): Promise<MissionConfig> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read the mission config: ${(err as Error).message}`, { cause: err });
  }
  return parseMissionConfig(raw, path);
}

/** The project's shared data folder on the development and CI machines. */
export const SHARED_TRACES_DIR = '/work/shared/data/traces';

/**
 * Where trace files live: `OI_TRACES_DIR`, else `shared/data/traces` beside the repository (the
 * checkout sits in a folder next to `shared/`), else the machines' shared folder (a clone made
 * elsewhere, e.g. by CI in a temporary directory).
 */
export function tracesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OI_TRACES_DIR) return resolve(env.OI_TRACES_DIR);
  const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
  const beside = join(repoRoot, '..', 'shared', 'data', 'traces');
  return existsSync(beside) || !existsSync(SHARED_TRACES_DIR) ? beside : SHARED_TRACES_DIR;
}

export function traceFile(trace: MissionTrace, env: NodeJS.ProcessEnv = process.env): string {
  return isAbsolute(trace.file) ? trace.file : join(tracesDir(env), trace.file);
}
