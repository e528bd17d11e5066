import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { ServiceErrorCodeHeader, ServiceErrorHeader } from '@nats-io/services';
import { decodeEnvelope, errorCodeSchema, type Envelope, type MessageDef } from '../schemas/index.js';
import type { z } from 'zod';
import { encodeEnvelope, makeEnvelope, type EnvelopeOptions } from './codec.js';
import { OiError } from './oi-error.js';
import { commandSubjectFor } from './caller-identity.js';

export interface RequestOptions extends EnvelopeOptions {
  timeoutMs?: number;
  /** Identity of the human or process behind the request; lands in the audit log. */
  caller?: string;
}

/**
 * Sends a command and returns the reply envelope, or throws OiError rebuilt from the
 * services error headers: the same code, message and field issues the service produced.
 */
export async function request<S extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  def: MessageDef<S>,
  data: z.input<S>,
  opts: RequestOptions
): Promise<Envelope> {
  const env = makeEnvelope(def, data, opts);
  return requestEnvelope(nc, subject, env, opts);
}

/**
 * Sends a ready envelope (or raw bytes, e.g. from the CLI) and decodes the reply. A connection
 * that authenticated as a user sends commands on its scoped subject (`oi.as.<user>.…`), the
 * only one its permissions allow, which is how the service learns who the caller is.
 */
export async function requestEnvelope(
  nc: NatsConnection,
  subject: string,
  env: Envelope | Uint8Array,
  opts: { timeoutMs?: number; caller?: string } = {}
): Promise<Envelope> {
  const h = natsHeaders();
  if (opts.caller) h.set('Oi-Caller', opts.caller);
  const bytes = env instanceof Uint8Array ? env : encodeEnvelope(env);
  let reply;
  try {
    reply = await nc.request(commandSubjectFor(nc, subject), bytes, { timeout: opts.timeoutMs ?? 5_000, headers: h });
  } catch (err) {
    const text = String((err as Error).message).toLowerCase();
    if (text.includes('no responders')) {
      throw new OiError(
        'OI_UNAVAILABLE',
        `no service answers ${subject}`,
        [],
        'start it with `npm start` (optiinfra up)'
      );
    }
    if (text.includes('timeout')) {
      throw new OiError(
        'OI_TIMEOUT',
        `no reply on ${subject} in ${opts.timeoutMs ?? 5_000} ms`,
        [],
        'retry with the same envelope id: commands are idempotent'
      );
    }
    throw err;
  }
  const errCode = reply.headers?.get(ServiceErrorCodeHeader);
  const decoded = decodeEnvelope(reply.data);
  if (errCode) {
    if (decoded.ok && decoded.def.id.startsWith('oi.err.')) {
      const d = decoded.envelope.data as { code: string; message: string; issues?: never[]; hint?: string };
      const code = errorCodeSchema.safeParse(d.code);
      throw new OiError(code.success ? code.data : 'OI_INTERNAL', d.message, d.issues ?? [], d.hint);
    }
    const desc = reply.headers?.get(ServiceErrorHeader) ?? 'service error';
    throw new OiError(Number(errCode) >= 500 ? 'OI_INTERNAL' : 'OI_INVALID_PAYLOAD', desc);
  }
  if (!decoded.ok) throw new OiError('OI_INTERNAL', `reply from ${subject} is invalid: ${decoded.error.reason}`);
  return decoded.envelope;
}
