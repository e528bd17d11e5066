import { z } from 'zod';
import { defineMessage } from './registry.js';

/**
 * The error catalog: every typed error a service may answer with. `status` is the numeric
 * code carried in the `Nats-Service-Error-Code` header (ADR-32), `code` the stable name
 * clients branch on. docs/errors.md lists the same codes; a test keeps them in step.
 */
export const ERROR_CODES = {
  OI_INVALID_PAYLOAD: { status: 400, summary: 'the payload broke a schema rule; issues name each field and rule' },
  OI_UNKNOWN_SCHEMA: { status: 400, summary: 'the envelope names a schema id this service does not know' },
  OI_WRONG_SCHEMA: { status: 400, summary: 'a known schema sent to a subject that does not accept it' },
  OI_NOT_FOUND: { status: 404, summary: 'the named resource does not exist' },
  OI_CONFLICT: { status: 409, summary: 'the request contradicts stored state (e.g. an id reused for another payload)' },
  OI_PAYLOAD_TOO_LARGE: { status: 413, summary: 'the message exceeds the size limit of its subject' },
  OI_UNAVAILABLE: { status: 503, summary: 'a dependency (PostgreSQL, JetStream) is not reachable; retry later' },
  OI_TIMEOUT: { status: 504, summary: 'no reply in time; the request may or may not have taken effect' },
  OI_INTERNAL: { status: 500, summary: 'an unexpected failure; the log carries the details' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const fieldIssueSchema = z.object({
  path: z.string(),
  rule: z.string(),
  message: z.string(),
});

export const errorReply = defineMessage({
  id: 'oi.err.reply.v1',
  description: 'The typed error a service answers with; headers carry status and summary too.',
  data: z.object({
    code: errorCodeSchema,
    message: z.string(),
    issues: z.array(fieldIssueSchema).optional(),
    /** What the caller should do next. */
    hint: z.string().optional(),
  }),
});
