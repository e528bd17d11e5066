import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { lookupMessage, type Envelope } from '../../schemas/index.js';
import { makeEnvelope, publishEnvelope } from '../../bus/index.js';

/** What an actor asks the host to do: publish one validated message. */
export interface HostEffect {
  subject: string;
  /** Schema id of `data` (e.g. `oi.rec.proposal.v1`). */
  schema: string;
  data: unknown;
}

/** Headers every effect carries, so receivers can fence without parsing the payload. */
export const EPOCH_HEADER = 'Oi-Epoch';
export const PARTITION_HEADER = 'Oi-Partition';

/**
 * The id of the i-th effect of an actor's turn on a message: the same on every redelivery and
 * every owner, so receivers apply it at most once. Long ids are hashed to fit the envelope.
 */
export function effectId(messageId: string, actor: string, index: number): string {
  const id = `${messageId}.${actor.replace(/[^A-Za-z0-9_-]/g, '_')}.${index}`;
  if (id.length <= 100) return id;
  return `fx.${createHash('sha256').update(id).digest('base64url').slice(0, 40)}`;
}

export interface EffectStamp {
  epoch: number;
  partition: number;
  source: string;
  /** Event time of the message that caused it. */
  ts: number;
  cause: string;
}

/** Builds the envelope of an effect; throws naming the field when the actor produced invalid data. */
export function effectEnvelope(effect: HostEffect, id: string, stamp: EffectStamp): Envelope {
  const def = lookupMessage(effect.schema);
  if (!def) throw new Error(`effect names unknown schema ${effect.schema}`);
  return makeEnvelope(def, effect.data as never, {
    source: stamp.source,
    id,
    ts: new Date(stamp.ts),
    corr: stamp.cause,
  });
}

/**
 * Publishes an effect. The stream deduplicates on `<id>@<epoch>`: a retry under the same
 * epoch is dropped, while the same effect re-issued by a newer owner is stored, because the
 * receiver may have rejected the older owner's copy as stale.
 */
export async function publishEffect(
  js: JetStreamClient,
  effect: HostEffect,
  env: Envelope,
  stamp: EffectStamp
): Promise<void> {
  await publishEnvelope(js, effect.subject, env, {
    msgId: `${env.id}@${stamp.epoch}`,
    headers: { [EPOCH_HEADER]: String(stamp.epoch), [PARTITION_HEADER]: String(stamp.partition) },
    retry: { deadlineMs: 15_000 },
  });
}
