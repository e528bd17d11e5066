import { z } from 'zod';

/** Schema ids read `oi.<domain>.<name…>.v<N>`; the version is part of the id (STYLE.md, Schemas 1). */
export const SCHEMA_ID_PATTERN = /^oi(\.[a-z][a-z0-9_-]*){2,}\.v[1-9][0-9]*$/;

/**
 * The envelope every message travels in (DESIGN.md "Subjects"): `id` doubles as
 * `Nats-Msg-Id`, `ts` is event time (ISO 8601, UTC), `corr` links a reply or effect to its cause.
 */
export const envelopeHeader = z.object({
  schema: z.string().regex(SCHEMA_ID_PATTERN, 'schema id must look like oi.<domain>.<name>.v<N>'),
  id: z
    .string()
    .min(8)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, 'id may hold letters, digits and . _ : - only'),
  ts: z.iso.datetime({ offset: true }),
  source: z.string().min(1).max(200),
  corr: z.string().min(1).max(128).optional(),
});

export type EnvelopeHeader = z.infer<typeof envelopeHeader>;

export interface Envelope<T = unknown> extends EnvelopeHeader {
  data: T;
}

export const envelopeShape = envelopeHeader.extend({ data: z.unknown() }).strict();
