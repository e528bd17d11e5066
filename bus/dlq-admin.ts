import { decodeEnvelope, dlqEntryV1, parseTelStored, STREAMS, type DlqEntry, type Envelope } from '../schemas/index.js';
import type { Bus } from './connect.js';
import { COMMANDS_DLQ } from './dead-letter.js';
import { OiError } from './oi-error.js';
import { publishEnvelope } from './publish.js';
import { requestEnvelope } from './request.js';

/** One stored dead letter: its sequence in OI_DLQ and its record. */
export interface DeadLetterRecord {
  seq: number;
  envelope: Envelope<DlqEntry>;
}

/** Reads dead letters in stream order, optionally only those of one source stream. */
export async function listDeadLetters(
  bus: Bus,
  opts: { stream?: string; limit?: number; afterSeq?: number } = {}
): Promise<DeadLetterRecord[]> {
  const info = await bus.jsm.streams.info(STREAMS.dlq);
  const out: DeadLetterRecord[] = [];
  const limit = opts.limit ?? 100;
  let seq = Math.max(info.state.first_seq, (opts.afterSeq ?? 0) + 1);
  const filter = opts.stream ? `oi.v1.dlq.${opts.stream}` : 'oi.v1.dlq.*';
  while (out.length < limit && seq <= info.state.last_seq) {
    // next stored message at or after seq (skips deleted ones)
    const m = await bus.jsm.streams
      .getMessage(STREAMS.dlq, { seq, next_by_subj: filter } as unknown as { seq: number })
      .catch(() => null);
    if (!m) break;
    const decoded = decodeEnvelope<DlqEntry>(m.data, [dlqEntryV1]);
    if (decoded.ok) out.push({ seq: m.seq, envelope: decoded.envelope });
    seq = m.seq + 1;
  }
  return out;
}

export async function getDeadLetter(bus: Bus, seq: number): Promise<DeadLetterRecord> {
  const m = await bus.jsm.streams.getMessage(STREAMS.dlq, { seq }).catch(() => null);
  if (!m) throw new OiError('OI_NOT_FOUND', `no dead letter #${seq} (already redriven or expired?)`);
  const decoded = decodeEnvelope<DlqEntry>(m.data, [dlqEntryV1]);
  if (!decoded.ok) throw new OiError('OI_INTERNAL', `dead letter #${seq} is unreadable: ${decoded.error.reason}`);
  return { seq, envelope: decoded.envelope };
}

export interface RedriveFix {
  /** Replace the envelope's `data` and keep its id (the usual fix for a field error). */
  data?: unknown;
  /** Replace the whole envelope (for bytes that were not a readable envelope, or sensitive ones). */
  envelope?: Envelope;
}

export interface RedriveResult {
  subject: string;
  envelope: Envelope;
  /** The command's reply, for dead letters of commands. */
  reply?: Envelope;
}

/**
 * Sends a dead letter back where it came from, fixed, after validating it here: an invalid
 * fix is refused before anything is sent. On success the dead letter is removed, so a second
 * redrive of the same entry finds nothing and nothing is processed twice.
 */
export async function redrive(
  bus: Bus,
  seq: number,
  fix: RedriveFix = {},
  opts: { caller?: string } = {}
): Promise<RedriveResult> {
  const { envelope: dl } = await getDeadLetter(bus, seq);
  const entry = dl.data;
  let candidate: unknown = fix.envelope;
  if (!candidate) {
    if (entry.payload_b64 === undefined) {
      throw new OiError(
        'OI_INVALID_PAYLOAD',
        `dead letter #${seq} kept only a hash (sensitive payload)`,
        [],
        'pass the whole corrected envelope'
      );
    }
    const original = Buffer.from(entry.payload_b64, 'base64').toString('utf8');
    try {
      candidate = JSON.parse(original);
    } catch {
      throw new OiError(
        'OI_INVALID_PAYLOAD',
        `dead letter #${seq} is not JSON`,
        [],
        'pass the whole corrected envelope'
      );
    }
    if (fix.data !== undefined) candidate = { ...(candidate as object), data: fix.data };
  }
  const decoded = decodeEnvelope(JSON.stringify(candidate));
  if (!decoded.ok) throw new OiError('OI_INVALID_PAYLOAD', `the fixed message is still invalid`, decoded.error.issues);
  let env = decoded.envelope;

  if (entry.stream === COMMANDS_DLQ) {
    const reply = await requestEnvelope(bus.nc, entry.subject, env, opts.caller ? { caller: opts.caller } : {});
    await bus.jsm.streams.deleteMessage(STREAMS.dlq, seq, false);
    return { subject: entry.subject, envelope: env, reply };
  }
  // a stream saw the failed id already; its duplicate window would swallow a resend
  if (
    env.id === entry.original_id ||
    env.id ===
      (JSON.parse(Buffer.from(entry.payload_b64 ?? '', 'base64').toString('utf8') || '{}') as { id?: string }).id
  ) {
    env = { ...env, id: `${env.id}.r${seq}` };
  }
  const tel = parseTelStored(entry.subject);
  const subject = tel ? `oi.v1.tel.${tel.source}.${tel.workload}.${tel.node}` : entry.subject;
  await publishEnvelope(bus.js, subject, env);
  await bus.jsm.streams.deleteMessage(STREAMS.dlq, seq, false);
  return { subject, envelope: env };
}
