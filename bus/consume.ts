import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { decodeEnvelope, type Envelope, type FieldIssue, type MessageDef } from '../schemas/index.js';
import { silentLogger, type Logger } from '../config/index.js';
import { deadLetter, eraseStreamMessage, refusedForEveryReader } from './dead-letter.js';
import { isSensitiveSubject } from './sensitivity.js';
import { payloadTooLarge } from './payload-limits.js';

export interface HandlerContext {
  msg: JsMsg;
  /** 1 on first delivery. */
  deliveries: number;
}

export interface ConsumeOptions<T> {
  stream: string;
  consumer: string;
  /** Schemas this consumer accepts; anything else is dead-lettered. */
  accept: readonly MessageDef[];
  handler: (envelope: Envelope<T>, ctx: HandlerContext) => Promise<void>;
  /** Deliveries before a failing message goes to the DLQ. */
  maxDeliver?: number;
  /** Redelivery delay after a failure, growing per attempt. */
  backoffMs?: (deliveries: number) => number;
  source: string;
  logger?: Logger;
  /** Messages pulled per request; the loop still handles one at a time. */
  batch?: number;
}

export interface ConsumeHandle {
  stop(): Promise<void>;
  /** Resolves when the loop ended (stopped or failed). */
  done: Promise<void>;
  readonly stats: { handled: number; failed: number; deadLettered: number };
}

const defaultBackoff = (n: number): number => Math.min(30_000, 250 * 2 ** Math.min(n - 1, 7));

/**
 * Pulls from a durable consumer and hands valid envelopes to `handler`, one at a time.
 * Invalid or unknown messages go to `oi.v1.dlq.<stream>` at once; a handler that keeps
 * failing goes there after `maxDeliver` deliveries. The ack follows the effect, so a crash
 * between them means redelivery (at least once); handlers make effects idempotent.
 */
export async function consume<T>(js: JetStreamClient, opts: ConsumeOptions<T>): Promise<ConsumeHandle> {
  const logger = opts.logger ?? silentLogger;
  const maxDeliver = opts.maxDeliver ?? 5;
  const backoff = opts.backoffMs ?? defaultBackoff;
  const stats = { handled: 0, failed: 0, deadLettered: 0 };
  const consumer = await js.consumers.get(opts.stream, opts.consumer);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: opts.batch ?? 256 });

  const toDlq = async (
    m: JsMsg,
    reason: string,
    issues?: FieldIssue[],
    schema?: string,
    id?: string,
    sensitive?: boolean,
    /** Also erase the original from the stream (a sensitive message refused for its bytes). */
    erase = false
  ): Promise<void> => {
    try {
      await deadLetter(
        js,
        {
          stream: opts.stream,
          subject: m.subject,
          reason,
          ...(issues ? { issues } : {}),
          ...(schema ? { schema } : {}),
          ...(id ? { originalId: id } : {}),
          deliveries: m.info.deliveryCount,
          raw: m.data,
          ...(m.headers ? { headers: m.headers } : {}),
          sensitive: sensitive || isSensitiveSubject(m.subject),
        },
        { source: opts.source }
      );
      if (erase) await eraseStreamMessage(js, opts.stream, m.seq);
    } catch (err) {
      // without a DLQ record (or with its content still in the stream) the message comes back later
      logger.error({ err, subject: m.subject }, 'dead-letter failed; message will be redelivered');
      m.nak(backoff(m.info.deliveryCount));
      return;
    }
    stats.deadLettered++;
    m.term(reason.slice(0, 200));
  };

  const loop = async (): Promise<void> => {
    for await (const m of messages) {
      const tooLarge = payloadTooLarge(m.subject, m.data.byteLength);
      if (tooLarge) {
        logger.warn({ subject: m.subject, bytes: m.data.byteLength }, 'oversize message dead-lettered');
        // kept as a hash and the size: the bytes are the problem
        await toDlq(m, tooLarge.message, tooLarge.issues, undefined, undefined, true, isSensitiveSubject(m.subject));
        continue;
      }
      const decoded = decodeEnvelope<T>(m.data, opts.accept);
      if (!decoded.ok) {
        const e = decoded.error;
        logger.warn({ subject: m.subject, reason: e.reason }, 'invalid message dead-lettered');
        const sensitive = (e.kind === 'invalid_data' && e.sensitive) || isSensitiveSubject(m.subject);
        const erase = sensitive && refusedForEveryReader(e.kind);
        await toDlq(m, e.reason, e.issues, 'schema' in e ? e.schema : undefined, undefined, sensitive, erase);
        continue;
      }
      const env = decoded.envelope;
      const deliveries = m.info.deliveryCount;
      if (deliveries > maxDeliver) {
        await toDlq(m, `exhausted ${maxDeliver} deliveries`, undefined, env.schema, env.id, decoded.def.sensitive);
        continue;
      }
      try {
        await opts.handler(env, { msg: m, deliveries });
        m.ack();
        stats.handled++;
      } catch (err) {
        stats.failed++;
        const reason = `handler failed on delivery ${deliveries}/${maxDeliver}: ${(err as Error).message}`;
        logger.warn({ subject: m.subject, id: env.id, err }, 'handler failed');
        if (deliveries >= maxDeliver) {
          await toDlq(m, reason, undefined, env.schema, env.id, decoded.def.sensitive);
        } else {
          m.nak(backoff(deliveries));
        }
      }
    }
  };
  const done = loop().catch((err: unknown) => {
    logger.error({ err, stream: opts.stream, consumer: opts.consumer }, 'consume loop failed');
    throw err;
  });
  return {
    stats,
    done,
    stop: async () => {
      await messages.close();
      await done.catch(() => undefined);
    },
  };
}
