import { z } from 'zod';

/**
 * The engine configuration the edge owns, versioned because the edge persists its last good
 * one. Fields are vLLM engine args; `ENGINE_FLAGS` maps each to its `--flag` name, which is also
 * the key an `engine.reconfigure` action's `changes` uses (actions.v1 `reconfigure_engine`).
 */
const positiveInt = z.number().int().min(1);

export const engineConfigV1 = z
  .object({
    v: z.literal(1),
    model: z.string().min(1).max(200).describe('catalog id or Hugging Face name, as `vllm serve <model>`'),
    gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
    maxNumSeqs: positiveInt.max(65_536).optional(),
    maxNumBatchedTokens: positiveInt.max(10_000_000).optional(),
    maxModelLen: positiveInt.max(10_000_000).optional(),
    kvCacheDtype: z.enum(['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2']).optional(),
    enablePrefixCaching: z.boolean().optional(),
    /** GiB of CPU memory for offloaded KV blocks (tiered KV). */
    kvOffloadingSize: z.number().gt(0).max(16_384).optional(),
    kvOffloadingBackend: z.enum(['native', 'lmcache']).optional(),
    tensorParallelSize: positiveInt.max(64).optional(),
    quantization: z.enum(['fp8', 'awq', 'gptq', 'awq_marlin', 'gptq_marlin']).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kvOffloadingBackend !== undefined && c.kvOffloadingSize === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['kvOffloadingSize'],
        message: 'kv-offloading-backend needs kv-offloading-size (GiB) as well',
      });
    }
    if (c.maxNumBatchedTokens !== undefined && c.maxNumSeqs !== undefined && c.maxNumBatchedTokens < c.maxNumSeqs) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxNumBatchedTokens'],
        message: `max-num-batched-tokens (${c.maxNumBatchedTokens}) must be ≥ max-num-seqs (${c.maxNumSeqs})`,
      });
    }
  });
export type EngineConfig = z.infer<typeof engineConfigV1>;
export type EngineField = Exclude<keyof EngineConfig, 'v' | 'model'>;

/** Engine field → vLLM flag (without the leading `--`). */
export const ENGINE_FLAGS = {
  gpuMemoryUtilization: 'gpu-memory-utilization',
  maxNumSeqs: 'max-num-seqs',
  maxNumBatchedTokens: 'max-num-batched-tokens',
  maxModelLen: 'max-model-len',
  kvCacheDtype: 'kv-cache-dtype',
  enablePrefixCaching: 'enable-prefix-caching',
  kvOffloadingSize: 'kv-offloading-size',
  kvOffloadingBackend: 'kv-offloading-backend',
  tensorParallelSize: 'tensor-parallel-size',
  quantization: 'quantization',
} as const satisfies Record<EngineField, string>;

const FIELD_OF_FLAG = new Map<string, EngineField>(
  Object.entries(ENGINE_FLAGS).map(([field, flag]) => [flag, field as EngineField])
);

/** A configuration the edge refuses, naming the field (as a vLLM flag) and the rule. */
export class EngineConfigError extends Error {
  override name = 'EngineConfigError';
  constructor(
    readonly field: string,
    readonly rule: string,
    detail: string
  ) {
    super(`${field}: ${detail} (${rule})`);
  }
}

function flagOf(path: readonly PropertyKey[]): string {
  const key = String(path[0] ?? '(root)');
  return (ENGINE_FLAGS as Record<string, string>)[key] ?? key;
}

/** Validates an engine configuration; the error names the first broken field by its flag. */
export function parseEngineConfig(input: unknown): EngineConfig {
  const r = engineConfigV1.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new EngineConfigError(flagOf(issue.path), issue.code, issue.message);
}

/**
 * Applies `changes` (vLLM flag → value; null removes the flag so the engine default applies)
 * to `base` and validates the result.
 */
export function applyEngineChanges(base: EngineConfig, changes: Record<string, unknown>): EngineConfig {
  const next: Record<string, unknown> = { ...base };
  for (const [flag, value] of Object.entries(changes)) {
    if (flag === 'model') {
      if (typeof value !== 'string') throw new EngineConfigError('model', 'string', 'must be a model name');
      next.model = value;
      continue;
    }
    const field = FIELD_OF_FLAG.get(flag);
    if (!field) {
      throw new EngineConfigError(
        flag,
        'known_flag',
        `not an engine flag the edge manages; known: model, ${Object.values(ENGINE_FLAGS).join(', ')}`
      );
    }
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return parseEngineConfig(next);
}

/** The flags that differ between two configurations, as `flag: before → after`. */
export function describeChange(from: EngineConfig, to: EngineConfig): string {
  const parts: string[] = [];
  if (from.model !== to.model) parts.push(`model: ${from.model} → ${to.model}`);
  for (const [field, flag] of Object.entries(ENGINE_FLAGS)) {
    const a = from[field as EngineField];
    const b = to[field as EngineField];
    if (a !== b) parts.push(`${flag}: ${String(a ?? 'default')} → ${String(b ?? 'default')}`);
  }
  return parts.length ? parts.join(', ') : 'no change';
}

/** `vllm serve` arguments for a configuration (the model first, then flags in a fixed order). */
export function vllmArgs(config: EngineConfig): string[] {
  const args = [config.model];
  for (const [field, flag] of Object.entries(ENGINE_FLAGS)) {
    const value = config[field as EngineField];
    if (value === undefined) continue;
    if (typeof value === 'boolean') args.push(value ? `--${flag}` : `--no-${flag}`);
    else args.push(`--${flag}`, String(value));
  }
  return args;
}
