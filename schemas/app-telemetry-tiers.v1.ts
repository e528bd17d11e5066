import { z } from 'zod';
import { count, nodeId, nonNegative, ratio, seconds } from './common.js';
import { defineMessage } from './registry.js';
import { workloadId } from './workload.v1.js';

/**
 * Privacy-tiered application telemetry (seed 000 §9.3), one message id per tier so the tier is
 * enforced by the schema, not by a field's promise. Every object is strict: a key the tier does
 * not define (say `prompt` in a tier-1 message) is refused, naming the key. All three travel on
 * `oi.v1.tel.app.<workload>.<node>` (the schema id tells the tier) and are sensitive: a dead letter
 * keeps a hash, the size and the reason, never the bytes.
 *
 * - tier 1 (`oi.tel.app.t1.v1`): per request type, token counts, latency, model, error classes,
 *   reported quality scores. No field can hold text beyond model and request-type names.
 * - tier 2 (`oi.tel.app.t2.v1`): tier 1 plus aggregates: prompt-structure shares, RAG retrieval
 *   counts and scores, repeated-prefix shares.
 * - tier 3 (`oi.tel.app.t3.v1`): tier 2 plus sampled content; stored only encrypted (AES-256-GCM).
 */

/** Model names as engines and gateways print them: no spaces, so no sentence fits. */
const modelName = z
  .string()
  .regex(/^[A-Za-z0-9._:/@+-]{1,200}$/, 'a model name: letters, digits and . _ : / @ + - (no spaces)');

/** The gateway's label of a request (a task class such as `chat`, `code`, `summarization`). */
export const requestType = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a request type label: lowercase letters, digits, _ and -, 1-64 chars');

/** Why a request failed, as a closed set: free text could carry content. */
export const appErrorClass = z.enum([
  'timeout',
  'context_length',
  'rate_limited',
  'invalid_request',
  'content_filter',
  'server_error',
  'cancelled',
  'other',
]);
export type AppErrorClass = z.infer<typeof appErrorClass>;

const strictQuantilesMs = z
  .strictObject({ p50: nonNegative, p95: nonNegative, p99: nonNegative })
  .refine((q) => q.p50 <= q.p95 && q.p95 <= q.p99, { message: 'quantiles must satisfy p50 <= p95 <= p99' });

/** A token-length distribution over the window's requests. */
export const tokenStats = z
  .strictObject({ mean: nonNegative, sd: nonNegative, p50: count, p95: count, max: count })
  .refine((t) => t.p50 <= t.p95 && t.p95 <= t.max, { message: 'token stats must satisfy p50 <= p95 <= max' });
export type TokenStats = z.infer<typeof tokenStats>;

const requestTypeT1 = z.strictObject({
  request_type: requestType,
  model: modelName.describe('model that served these requests'),
  requests: count,
  errors: z.partialRecord(appErrorClass, count).describe('failed requests by error class'),
  input_tokens: tokenStats,
  output_tokens: tokenStats,
  latency_ms: strictQuantilesMs.nullable().describe('end-to-end; null without finished requests'),
  long_input_short_output: count.optional().describe('requests with >5000 tokens in and <100 out (seed 000 §9.3.1)'),
  quality_score: ratio.optional().describe('mean evaluator score of the scored requests, 1 = best'),
  quality_scored: count.optional().describe('how many requests the evaluator scored'),
});

const windowT1 = {
  node: nodeId.describe('host that shipped the log (router or gateway)'),
  workload: workloadId,
  window_s: seconds,
};

function checkRows(rows: ReadonlyArray<z.infer<typeof requestTypeT1>>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const key = `${r.request_type}/${r.model}`;
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['by_request_type', i], message: `duplicate row for ${key}` });
    }
    seen.add(key);
    const failed = Object.values(r.errors).reduce((a, b) => a + (b ?? 0), 0);
    if (failed > r.requests) {
      ctx.addIssue({ code: 'custom', path: ['by_request_type', i, 'errors'], message: 'cannot exceed requests' });
    }
    if (r.quality_scored !== undefined && r.quality_scored > r.requests) {
      ctx.addIssue({
        code: 'custom',
        path: ['by_request_type', i, 'quality_scored'],
        message: 'cannot exceed requests',
      });
    }
  });
}

export const appTelemetryT1V1 = defineMessage({
  id: 'oi.tel.app.t1.v1',
  description:
    'Tier-1 application telemetry: counts, tokens, latency, model, error classes per request type; no content.',
  sensitive: true,
  data: z
    .strictObject({
      ...windowT1,
      privacy_tier: z.literal(1),
      by_request_type: z.array(requestTypeT1).min(1).max(64),
    })
    .superRefine((d, ctx) => checkRows(d.by_request_type, ctx)),
});
export type AppTelemetryT1 = z.infer<typeof appTelemetryT1V1.data>;

const patternName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a pattern label, e.g. few_shot');

const requestTypeT2 = requestTypeT1.extend({
  prompt_patterns: z
    .record(patternName, ratio)
    .optional()
    .describe('share of requests per prompt structure, e.g. few_shot: 0.6'),
  rag: z
    .strictObject({
      requests: count.describe('requests that retrieved documents'),
      docs_per_request_mean: nonNegative,
      relevance_score_mean: ratio,
      chunk_tokens_mean: nonNegative,
    })
    .optional(),
  prefix_reuse: z
    .strictObject({
      repeated_share: ratio.describe('share of requests whose leading 512-token block was seen earlier in the window'),
      repeated_tokens_mean: nonNegative.describe('mean length of the repeated prefix of those requests'),
    })
    .optional(),
});

export const appTelemetryT2V1 = defineMessage({
  id: 'oi.tel.app.t2.v1',
  description:
    'Tier-2 application telemetry: tier 1 plus aggregates (prompt structure, RAG, prefix reuse); no content.',
  sensitive: true,
  data: z
    .strictObject({
      ...windowT1,
      privacy_tier: z.literal(2),
      by_request_type: z.array(requestTypeT2).min(1).max(64),
    })
    .superRefine((d, ctx) => checkRows(d.by_request_type, ctx)),
});
export type AppTelemetryT2 = z.infer<typeof appTelemetryT2V1.data>;

export const contentSample = z.strictObject({
  request_id: z.string().max(128).optional(),
  request_type: requestType.optional(),
  prompt: z.string().max(200_000),
  completion: z.string().max(200_000).optional(),
});
export type ContentSample = z.infer<typeof contentSample>;

export const appTelemetryT3V1 = defineMessage({
  id: 'oi.tel.app.t3.v1',
  description: 'Tier-3 application telemetry: tier 2 plus sampled request content, kept only encrypted at rest.',
  sensitive: true,
  data: z
    .strictObject({
      ...windowT1,
      privacy_tier: z.literal(3),
      by_request_type: z.array(requestTypeT2).min(1).max(64),
      samples: z.array(contentSample).max(100).optional().describe('sampled request content'),
    })
    .superRefine((d, ctx) => checkRows(d.by_request_type, ctx)),
});
export type AppTelemetryT3 = z.infer<typeof appTelemetryT3V1.data>;

/** Any tier; `privacy_tier` tells which. */
export type AppTierTelemetry = AppTelemetryT1 | AppTelemetryT2 | AppTelemetryT3;
export type AppRequestTypeStats = AppTelemetryT2['by_request_type'][number];

export const APP_TELEMETRY_TIERS = [appTelemetryT1V1, appTelemetryT2V1, appTelemetryT3V1] as const;
