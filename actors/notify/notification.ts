import type { Envelope, Notice } from '../../schemas/index.js';
import type { NotifyEvent } from './webhook-config.js';

/** One thing an operator should hear about. */
export interface Notification {
  event: NotifyEvent;
  /** Stable id: a redelivered event yields the same notification. */
  id: string;
  workload: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  attrs: Record<string, string | number | boolean | null>;
  at: string;
}

/**
 * Which notification an OI_EVT message is, if any: `oi.v1.evt.priority.pending_approval.*`,
 * `oi.v1.evt.priority.guardrail_stop.*`, and `oi.v1.evt.<any>.slo_breach|rollback_failed.*`.
 */
export function notificationOf(subject: string, env: Envelope): Notification | undefined {
  const [, , , domain, event] = subject.split('.');
  const kind: NotifyEvent | undefined =
    domain === 'priority' && event === 'pending_approval'
      ? 'pending_approval'
      : domain === 'priority' && event === 'guardrail_stop'
        ? 'guardrail_stop'
        : event === 'slo_breach'
          ? 'slo_breach'
          : event === 'rollback_failed'
            ? 'failed_rollback'
            : undefined;
  if (!kind || env.schema !== 'oi.evt.notice.v1') return undefined;
  const n = env.data as Notice;
  return {
    event: kind,
    id: env.id,
    workload: n.workload,
    severity: n.severity,
    message: n.message,
    attrs: n.attrs,
    at: env.ts,
  };
}

const ICON: Record<Notification['severity'], string> = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

/** Slack-compatible body (`text` for any receiver, `blocks` for Slack's layout). */
export function slackPayload(n: Notification): { text: string; blocks: unknown[] } {
  const text = `${ICON[n.severity]} [${n.event}] ${n.workload}: ${n.message}`;
  const facts = Object.entries(n.attrs)
    .map(([k, v]) => `*${k}*: ${String(v)}`)
    .join(' · ');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${n.at} · id ${n.id}${facts ? ` · ${facts}` : ''}` }] },
    ],
  };
}
