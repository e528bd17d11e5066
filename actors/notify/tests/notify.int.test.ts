import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  check,
  startNats,
  startWebhookReceiver,
  type NatsServerHandle,
  type WebhookReceiver,
} from '../../../testkit/index.js';
import { connectBus, defaultTopology, deadLetter, provision, publish, type Bus } from '../../../bus/index.js';
import { noticeV1, subjects } from '../../../schemas/index.js';
import { startNotify, type NotifyService } from '../../index.js';

describe('notify webhooks', () => {
  let nats: NatsServerHandle;
  let bus: Bus;
  let receiver: WebhookReceiver;
  let notify: NotifyService;

  beforeAll(async () => {
    nats = await startNats();
    bus = await connectBus({ servers: nats.url, name: 'test-notify' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 1 }));
    receiver = await startWebhookReceiver(2);
    notify = await startNotify({
      bus,
      webhooks: [
        { url: receiver.url('/ok'), events: ['pending_approval', 'dlq_growth'], attempts: 3, timeoutMs: 2_000 },
        { url: receiver.url('/flaky'), events: ['guardrail_stop'], attempts: 4, timeoutMs: 2_000 },
        { url: receiver.url('/hang'), events: ['pending_approval'], attempts: 2, timeoutMs: 60_000 },
      ],
      dlqCheckMs: 200,
      backoffMs: () => 50,
    });
  });
  afterAll(async () => {
    await notify?.stop();
    await receiver?.close();
    await bus?.drain();
    await nats?.stop();
  });

  const event = (event: string, message: string) =>
    publish(
      bus.js,
      subjects.evt('priority', event, 'wl-7'),
      noticeV1,
      {
        domain: 'priority',
        event,
        workload: 'wl-7',
        severity: 'warning',
        message,
        attrs: { proposal_id: 'p-00000001' },
      },
      { source: 'test' }
    );

  it('posts a configured event as Slack-compatible JSON, once, while another receiver hangs', async () => {
    const { envelope } = await event('pending_approval', 'approval needed: scale_replicas 4 → 8 (medium risk)');
    await event('lock', 'not a notification');
    await check(() => receiver.received.find((r) => r.id === envelope.id), 5_000, { name: 'webhook called' });
    const got = receiver.received.filter((r) => r.id === envelope.id);
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('/ok');
    expect(got[0]!.body.text).toBe(
      ':warning: [pending_approval] wl-7: approval needed: scale_replicas 4 → 8 (medium risk)'
    );
    await check(() => receiver.calls.get(`/hang:${envelope.id}`) === 1, 5_000, { name: 'hanging receiver called' });
    // the consumer acked on enqueue although the hanging call is still open
    await check(async () => (await bus.jsm.consumers.info('OI_EVT', 'oi-notify')).num_ack_pending === 0, 5_000, {
      name: 'events acked',
    });
  });

  it('retries a failing webhook until it answers 2xx', async () => {
    const { envelope } = await event('guardrail_stop', 'guardrail pause: fleet paused by alice');
    await check(() => receiver.received.find((r) => r.id === envelope.id), 5_000, { name: 'delivered after retries' });
    // 503, 503, then 200 (the receiver fails the first 2 calls of each notification)
    expect(receiver.calls.get(`/flaky:${envelope.id}`)).toBe(3);
    expect(notify.sender.stats.retries).toBeGreaterThanOrEqual(2);
  });

  it('reports DLQ growth', async () => {
    await deadLetter(
      bus.js,
      { stream: 'OI_TEL', subject: 'oi.v1.tel.gpu.wl-7.n1', reason: 'invalid', raw: new TextEncoder().encode('x') },
      { source: 'test' }
    );
    const hit = await check(() => receiver.received.find((r) => r.body.text.includes('[dlq_growth]')), 5_000, {
      name: 'dlq growth notified',
    });
    expect(hit.body.text).toContain('1 new dead letters in OI_DLQ (1 in all)');
  });
});
