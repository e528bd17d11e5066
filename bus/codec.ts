import { checkData, type Envelope, type MessageDef } from '../schemas/index.js';
import { scrubKnownSecrets } from '../config/index.js';
import type { z } from 'zod';
import { newId } from './ids.js';

export interface EnvelopeOptions {
  source: string;
  /** Reuse an id to make a retry idempotent; a new ULID otherwise. */
  id?: string;
  /** Event time; defaults to now. */
  ts?: Date | string;
  corr?: string;
}

/** Validates `data` against its schema and wraps it in an envelope; throws SchemaError naming the field. */
export function makeEnvelope<S extends z.ZodType>(
  def: MessageDef<S>,
  data: z.input<S>,
  opts: EnvelopeOptions
): Envelope<z.infer<S>> {
  const valid = checkData(def, data);
  const ts =
    opts.ts === undefined ? new Date().toISOString() : typeof opts.ts === 'string' ? opts.ts : opts.ts.toISOString();
  return {
    schema: def.id,
    id: opts.id ?? newId(),
    ts,
    source: opts.source,
    ...(opts.corr ? { corr: opts.corr } : {}),
    data: valid,
  };
}

const encoder = new TextEncoder();

/** JSON bytes of an envelope; a registered secret (config/secrets.ts) never leaves the process. */
export function encodeEnvelope(env: Envelope): Uint8Array {
  return encoder.encode(scrubKnownSecrets(JSON.stringify(env)));
}
