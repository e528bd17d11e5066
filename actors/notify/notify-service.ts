import { AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { STREAMS, noticeV1 } from '../../schemas/index.js';
import { consume, newId, type Bus, type ConsumeHandle } from '../../bus/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import { notificationOf } from './notification.js';
import type { WebhookConfig } from './webhook-config.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

export const NOTIFY_CONSUMER = 'oi-notify';

/** OI_EVT subjects notify reads; everything else on the stream is not its business. */
export const NOTIFY_SUBJECTS = [
  'oi.v1.evt.priority.pending_approval.*',
  'oi.v1.evt.priority.guardrail_stop.*',
  'oi.v1.evt.*.slo_breach.*',
  'oi.v1.evt.*.rollback_failed.*',
];

export interface NotifyOptions extends WebhookSenderOptions {
  bus: Bus;
  webhooks: readonly WebhookConfig[];
  /** How often OI_DLQ is checked for growth; 0 turns the check off. */
  dlqCheckMs?: number;
  logger?: Logger;
}

export interface NotifyService {
  sender: WebhookSender;
  stop(): Promise<void>;
}

async function ensureConsumer(jsm: JetStreamManager): Promise<void> {
  const want = {
    durable_name: NOTIFY_CONSUMER,
    filter_subjects: NOTIFY_SUBJECTS,
    ack_policy: AckPolicy.Explicit,
    // an operator wants to hear what happens from now on, not the stream's history
    deliver_policy: DeliverPolicy.New,
    ack_wait: 30_000 * 1_000_000,
  };
  const have = await jsm.consumers.info(STREAMS.evt, NOTIFY_CONSUMER).catch(() => undefined);
  if (!have) await jsm.consumers.add(STREAMS.evt, want);
}

/**
 * The notify actor: reads the chosen events from OI_EVT (one durable consumer shared by every
 * replica, so each event is notified once) and watches OI_DLQ for growth, handing both to a
 * `WebhookSender`. The ack follows the enqueue, never the webhook call.
 */
export async function startNotify(opts: NotifyOptions): Promise<NotifyService> {
  const logger = opts.logger ?? silentLogger;
  const sender = new WebhookSender(opts.webhooks, opts);
  await ensureConsumer(opts.bus.jsm);
  const handle: ConsumeHandle = await consume(opts.bus.js, {
    stream: STREAMS.evt,
    consumer: NOTIFY_CONSUMER,
    accept: [noticeV1],
    source: 'oi-notify',
    logger,
    handler: (env, ctx) => {
      const n = notificationOf(ctx.msg.subject, env);
      if (n) sender.send(n);
      return Promise.resolve();
    },
  });

  let dlqTimer: NodeJS.Timeout | undefined;
  if (opts.dlqCheckMs) {
    let seen: number | undefined;
    const check = async (): Promise<void> => {
      const info = await opts.bus.jsm.streams.info(STREAMS.dlq);
      const now = info.state.messages;
      if (seen !== undefined && now > seen) {
        sender.send({
          event: 'dlq_growth',
          id: newId(),
          workload: 'fleet',
          severity: 'warning',
          message: `${now - seen} new dead letters in ${STREAMS.dlq} (${now} in all)`,
          attrs: { added: now - seen, total: now, stream: STREAMS.dlq },
          at: new Date().toISOString(),
        });
      }
      seen = now;
    };
    await check().catch((err: unknown) => logger.warn({ err }, 'DLQ check failed'));
    dlqTimer = setInterval(
      () => void check().catch((err: unknown) => logger.warn({ err }, 'DLQ check failed')),
      opts.dlqCheckMs
    );
  }
  logger.info({ webhooks: opts.webhooks.length, events: NOTIFY_SUBJECTS }, 'notify up');
  return {
    sender,
    stop: async () => {
      clearInterval(dlqTimer);
      await handle.stop();
      await sender.stop();
    },
  };
}
