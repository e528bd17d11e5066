import { z } from 'zod';
import { count, scalar, timestamp } from './common.js';
import { defineMessage } from './registry.js';
import { fieldIssueSchema } from './errors.js';
import { TOKEN_PATTERN } from './subjects.js';
import { workloadId } from './workload.v1.js';

const subjectToken = z.string().regex(TOKEN_PATTERN, 'letters, digits, _ and -, 1-64 chars (a subject token)');

export const severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof severity>;

export const noticeV1 = defineMessage({
  id: 'oi.evt.notice.v1',
  description: 'An event without a dedicated schema (oi.v1.evt.<domain>.<event>.<workload>).',
  data: z.object({
    domain: subjectToken,
    event: subjectToken,
    workload: workloadId,
    severity,
    message: z.string().min(1).max(4000),
    attrs: z.record(z.string().min(1).max(64), scalar).default({}),
  }),
});
export type Notice = z.infer<typeof noticeV1.data>;

// no length caps here: a dead letter must never be refused for what the failed message held
const dlqBase = {
  stream: subjectToken.describe('stream the message came from, or OI_CMD for core-NATS commands'),
  subject: z.string().min(1),
  reason: z.string().min(1),
  issues: z.array(fieldIssueSchema),
  schema: z.string().optional().describe('schema id the envelope named, as sent (it may be malformed)'),
  original_id: z.string().optional().describe('envelope id (Nats-Msg-Id) of the failed message, as sent'),
  deliveries: count.min(1).optional(),
  received_at: timestamp,
  headers: z.record(z.string(), z.string()).describe('NATS headers of the failed message, secrets redacted'),
};

/**
 * Sensitive payloads (privacy-tiered, secret-bearing) keep a digest and a size, others the raw
 * bytes; the never-typed fields make the two forms exclusive in zod and in the JSON Schema.
 */
export const dlqEntryV1 = defineMessage({
  id: 'oi.dlq.entry.v1',
  description: 'A message that failed validation or exhausted its deliveries, with the reason.',
  data: z.union([
    z.object({
      ...dlqBase,
      payload_b64: z.base64().describe('the failed payload, byte for byte'),
      payload_sha256: z.never().optional(),
      payload_size: z.never().optional(),
    }),
    z.object({
      ...dlqBase,
      payload_b64: z.never().optional(),
      payload_sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .describe('hex SHA-256 of a sensitive payload, kept instead of its bytes'),
      payload_size: count.describe('payload size in bytes'),
    }),
  ]),
});
export type DlqEntry = z.infer<typeof dlqEntryV1.data>;
