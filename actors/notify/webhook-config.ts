import { z } from 'zod';
import { describeIssues, issuesOf } from '../../schemas/index.js';

/** Events notify can turn into webhook calls (DESIGN.md "Supervisor": chosen events). */
export const NOTIFY_EVENTS = [
  'pending_approval',
  'guardrail_stop',
  'slo_breach',
  'failed_rollback',
  'dlq_growth',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const webhookSpec = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  events: z.array(z.enum(NOTIFY_EVENTS)).min(1, 'name at least one event'),
  /** Tries per notification before it is given up (the first call included). */
  attempts: z.number().int().min(1).max(20).default(5),
  timeoutMs: z.number().int().positive().max(60_000).default(5_000),
});
export type WebhookConfig = z.infer<typeof webhookSpec>;

/** Parses OI_NOTIFY_WEBHOOKS (a JSON list); errors name the entry, the field and the rule. */
export function parseWebhooks(raw: string): WebhookConfig[] {
  if (raw.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new Error(`OI_NOTIFY_WEBHOOKS: not JSON (${(err as Error).message})`);
  }
  const parsed = z.array(webhookSpec).safeParse(json);
  if (!parsed.success) throw new Error(`OI_NOTIFY_WEBHOOKS: ${describeIssues(issuesOf(parsed.error))}`);
  return parsed.data;
}
