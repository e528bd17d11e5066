import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { decodeEnvelope, type Envelope, type MessageDef } from '../../schemas/index.js';
import { deadLetter, isSensitiveSubject, payloadTooLarge } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';

export interface BatchItem {
  env: Envelope;
  msg: JsMsg;
}

export interface BatchConsumeOptions {
  stream: string;
  consumer: string;
  accept: readonly MessageDef[];
  /** Handles every message that arrived since the last batch started, in stream order. */
  handler: (items: BatchItem[]) => Promise<void>;
  maxBatch: number;
  maxDeliver?: number;
  source: string;
  logger: Logger;
}

export interface BatchConsumeHandle {
  stop(): Promise<void>;
}

const backoffMs = (n: number): number => Math.min(30_000, 250 * 2 ** Math.min(n - 1, 7));

/**
 * Pulls from a durable consumer and hands over everything that queued up while the previous
 * batch was being handled (up to `maxBatch`), so under a burst the per-batch costs (a
 * PostgreSQL transaction, a state read) are paid once per batch rather than per message.
 * Acks follow the handler; a failing batch is redelivered, and a message past `maxDeliver`
 * deliveries goes to the DLQ, as with `bus` `consume`.
 */
export async function consumeBatches(js: JetStreamClient, opts: BatchConsumeOptions): Promise<BatchConsumeHandle> {
  const maxDeliver = opts.maxDeliver ?? 5;
  const consumer = await js.consumers.get(opts.stream, opts.consumer);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.max(256, opts.maxBatch) });
  const queue: JsMsg[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let stopping = false;

  const toDlq = async (m: JsMsg, reason: string, schema?: string): Promise<void> => {
    try {
      await deadLetter(
        js,
        {
          stream: opts.stream,
          subject: m.subject,
          reason,
          ...(schema ? { schema } : {}),
          deliveries: m.info.deliveryCount,
          raw: m.data,
          ...(m.headers ? { headers: m.headers } : {}),
          sensitive: isSensitiveSubject(m.subject),
        },
        { source: opts.source }
      );
      m.term(reason.slice(0, 200));
    } catch (err) {
      opts.logger.error({ err, subject: m.subject }, 'dead-letter failed; message will be redelivered');
      m.nak(backoffMs(m.info.deliveryCount));
    }
  };

  const handle = async (batch: JsMsg[]): Promise<void> => {
    const items: BatchItem[] = [];
    for (const m of batch) {
      const tooLarge = payloadTooLarge(m.subject, m.data.byteLength);
      if (tooLarge) {
        await toDlq(m, tooLarge.message);
        continue;
      }
      const d = decodeEnvelope(m.data, opts.accept);
      if (!d.ok) {
        opts.logger.warn({ subject: m.subject, reason: d.error.reason }, 'invalid message dead-lettered');
        await toDlq(m, d.error.reason, 'schema' in d.error ? d.error.schema : undefined);
      } else if (m.info.deliveryCount > maxDeliver) {
        await toDlq(m, `exhausted ${maxDeliver} deliveries`, d.envelope.schema);
      } else items.push({ env: d.envelope, msg: m });
    }
    if (items.length === 0) return;
    try {
      await opts.handler(items);
      for (const i of items) i.msg.ack();
    } catch (err) {
      opts.logger.warn({ err, messages: items.length }, 'batch failed; redelivering');
      for (const i of items) i.msg.nak(backoffMs(i.msg.info.deliveryCount));
    }
  };

  const pump = (async () => {
    for await (const m of messages) {
      queue.push(m);
      wake?.();
    }
  })().finally(() => {
    ended = true;
    wake?.();
  });
  const work = (async () => {
    for (;;) {
      if (stopping) return;
      if (queue.length === 0) {
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      await handle(queue.splice(0, opts.maxBatch));
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      wake?.();
      await messages.close();
      await pump.catch(() => undefined);
      // pulled but not handled: back to the stream at once, for whoever leads next
      for (const m of queue.splice(0)) m.nak();
      await work.catch((err: unknown) => opts.logger.error({ err }, 'batch loop failed'));
    },
  };
}
