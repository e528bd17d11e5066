import { headers } from '@nats-io/nats-core';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { Envelope, MessageDef } from '../schemas/index.js';
import type { z } from 'zod';
import { encodeEnvelope, makeEnvelope, type EnvelopeOptions } from './codec.js';
import { withRetry, type RetryOptions } from './retry.js';
import { payloadTooLarge } from './payload-limits.js';

export interface PublishOptions extends EnvelopeOptions {
  retry?: RetryOptions;
  /** Extra headers (e.g. the caller's identity); `Nats-Msg-Id` is always the envelope id. */
  headers?: Record<string, string>;
}

export interface Published<T> {
  envelope: Envelope<T>;
  ack: PubAck;
}

/**
 * Validates, wraps and publishes to JetStream with `Nats-Msg-Id` = envelope id, retrying
 * through leader elections and reconnects; the stream's duplicate window makes retries safe.
 */
export async function publish<S extends z.ZodType>(
  js: JetStreamClient,
  subject: string,
  def: MessageDef<S>,
  data: z.input<S>,
  opts: PublishOptions
): Promise<Published<z.infer<S>>> {
  const envelope = makeEnvelope(def, data, opts);
  const ack = await publishEnvelope(js, subject, envelope, opts);
  return { envelope, ack };
}

/**
 * Publishes an envelope as is (already validated, e.g. a DLQ redrive); throws
 * `OI_PAYLOAD_TOO_LARGE` above the limit of the subject's class (bus/payload-limits.ts). `msgId` overrides the
 * deduplication id when one envelope may legitimately be stored twice (an effect re-issued
 * under a newer fencing epoch).
 */
export async function publishEnvelope(
  js: JetStreamClient,
  subject: string,
  envelope: Envelope,
  opts: { retry?: RetryOptions; headers?: Record<string, string>; msgId?: string } = {}
): Promise<PubAck> {
  const bytes = encodeEnvelope(envelope);
  const tooLarge = payloadTooLarge(subject, bytes.byteLength);
  if (tooLarge) throw tooLarge;
  const h = headers();
  h.set('Oi-Schema', envelope.schema);
  for (const [k, v] of Object.entries(opts.headers ?? {})) h.set(k, v);
  return withRetry(() => js.publish(subject, bytes, { msgID: opts.msgId ?? envelope.id, headers: h }), opts.retry);
}
