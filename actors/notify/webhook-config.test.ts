import { describe, expect, it } from 'vitest';
import { exampleEnvelope, noticeV1 } from '../../schemas/index.js';
import { notificationOf, slackPayload } from './notification.js';
import { parseWebhooks } from './webhook-config.js';

describe('notify parseWebhooks', () => {
  it('reads a JSON list with defaults, and nothing from an empty value', () => {
    expect(parseWebhooks('')).toEqual([]);
    expect(parseWebhooks('[{"url":"http://127.0.0.1:9/hook","events":["pending_approval"]}]')).toEqual([
      { url: 'http://127.0.0.1:9/hook', events: ['pending_approval'], attempts: 5, timeoutMs: 5_000 },
    ]);
  });

  it('names the entry, the field and the rule of a bad value', () => {
    expect(() => parseWebhooks('{')).toThrow(/OI_NOTIFY_WEBHOOKS: not JSON/);
    expect(() => parseWebhooks('[{"url":"ftp://x","events":["pending_approval"]}]')).toThrow(
      /OI_NOTIFY_WEBHOOKS: \[0\]\.url: must be an http\(s\) URL/
    );
    expect(() => parseWebhooks('[{"url":"http://x","events":["coffee"]}]')).toThrow(/\[0\]\.events\[0\]/);
    expect(() => parseWebhooks('[{"url":"http://x","events":[]}]')).toThrow(/name at least one event/);
  });
});

describe('notify notificationOf', () => {
  const env = exampleEnvelope(noticeV1, {
    ...noticeV1.data.parse({
      domain: 'priority',
      event: 'guardrail_stop',
      workload: 'wl-1',
      severity: 'warning',
      message: 'paused',
    }),
  });

  it('maps the chosen subjects to notification events and ignores the rest', () => {
    expect(notificationOf('oi.v1.evt.priority.guardrail_stop.wl-1', env)?.event).toBe('guardrail_stop');
    expect(notificationOf('oi.v1.evt.priority.pending_approval.wl-1', env)?.event).toBe('pending_approval');
    expect(notificationOf('oi.v1.evt.edge.rollback_failed.wl-1', env)?.event).toBe('failed_rollback');
    expect(notificationOf('oi.v1.evt.perf.slo_breach.wl-1', env)?.event).toBe('slo_breach');
    expect(notificationOf('oi.v1.evt.priority.lock.wl-1', env)).toBeUndefined();
  });

  it('renders Slack-compatible JSON: a text fallback and blocks', () => {
    const n = notificationOf('oi.v1.evt.priority.guardrail_stop.wl-1', env)!;
    const body = slackPayload(n);
    expect(body.text).toBe(':warning: [guardrail_stop] wl-1: paused');
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: body.text } });
  });
});
