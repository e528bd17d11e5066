import { createHash } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import { dlqEntryV1, subjects, type DecodeFailure, type FieldIssue } from '../schemas/index.js';
import { containsSecret, scrubSecrets } from '../config/index.js';
import { publish } from './publish.js';
import type { RetryOptions } from './retry.js';

/** Pseudo-stream name for dead letters of core-NATS commands, which have no stream of their own. */
export const COMMANDS_DLQ = 'OI_CMD';

export interface DeadLetter {
  /** Stream (or COMMANDS_DLQ) the message came from. */
  stream: string;
  subject: string;
  reason: string;
  issues?: FieldIssue[];
  schema?: string;
  originalId?: string;
  deliveries?: number;
  raw: Uint8Array;
  headers?: MsgHdrs | Record<string, string>;
  /** Privacy-tiered or secret-bearing: keep a hash and the size, never the bytes (DESIGN.md). */
  sensitive?: boolean;
}

const SECRET_HEADERS = /authorization|token|secret|password|api-key/i;

function headerRecord(h: DeadLetter['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  const entries: Iterable<[string, string]> =
    typeof (h as MsgHdrs).keys === 'function'
      ? (h as MsgHdrs).keys().map((k) => [k, (h as MsgHdrs).get(k)] as [string, string])
      : Object.entries(h as Record<string, string>);
  for (const [k, v] of entries) out[k] = SECRET_HEADERS.test(k) ? '[redacted]' : scrubSecrets(v);
  return out;
}

/**
 * Builds the DLQ record; exported for tests of the privacy rule. Reasons, issues and headers
 * are scrubbed of secrets (config/secrets.ts); a payload that carries one keeps only its hash.
 */
export function deadLetterData(d: DeadLetter, now = new Date()): Record<string, unknown> {
  const base: Record<string, unknown> = {
    stream: d.stream,
    subject: d.subject,
    reason: scrubSecrets(d.reason),
    issues: (d.issues ?? []).map((i) => ({ ...i, message: scrubSecrets(i.message) })),
    received_at: now.toISOString(),
    headers: headerRecord(d.headers),
  };
  if (d.schema) base.schema = d.schema;
  if (d.originalId) base.original_id = d.originalId;
  if (d.deliveries !== undefined) base.deliveries = d.deliveries;
  if (d.sensitive || containsSecret(Buffer.from(d.raw).toString('utf8'))) {
    base.payload_sha256 = createHash('sha256').update(d.raw).digest('hex');
    base.payload_size = d.raw.byteLength;
  } else {
    base.payload_b64 = Buffer.from(d.raw).toString('base64');
  }
  return base;
}

/** Sends a failed message to `oi.v1.dlq.<stream>` with the reason. */
export async function deadLetter(
  js: JetStreamClient,
  d: DeadLetter,
  opts: { source: string; retry?: RetryOptions }
): Promise<PubAck> {
  const { ack } = await publish(js, subjects.dlq(d.stream), dlqEntryV1, deadLetterData(d) as never, {
    source: opts.source,
    ...(d.originalId ? { corr: d.originalId } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
  return ack;
}

/**
 * Refusals that hold for every reader of the message (its bytes are not a valid message), unlike
 * `wrong_schema` (another consumer may accept it) or a handler that failed.
 */
export function refusedForEveryReader(kind: DecodeFailure['kind'] | 'too_large'): boolean {
  return kind !== 'wrong_schema';
}

const managers = new WeakMap<JetStreamClient, Promise<JetStreamManager>>();

/**
 * Erases a stored message by sequence (the server overwrites it, so it cannot be read back from
 * the stream or its files). For a sensitive message refused for its bytes once its hash-only dead
 * letter is stored: content that broke the privacy rule must not stay readable in the stream
 * (DESIGN.md "Subjects"). A message already gone (another consumer erased it) is no error.
 */
export async function eraseStreamMessage(js: JetStreamClient, stream: string, seq: number): Promise<void> {
  let jsm = managers.get(js);
  if (!jsm) {
    jsm = js.jetstreamManager();
    managers.set(js, jsm);
  }
  try {
    await (await jsm).streams.deleteMessage(stream, seq, true);
  } catch (err) {
    if (/no message found/i.test((err as Error).message)) return;
    throw err;
  }
}
