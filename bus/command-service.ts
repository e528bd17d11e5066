import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  ERROR_CODES,
  decodeEnvelope,
  errorReply,
  type Envelope,
  type ErrorCode,
  type FieldIssue,
  type MessageDef,
} from '../schemas/index.js';
import { silentLogger, type Logger } from '../config/index.js';
import type { Bus } from './connect.js';
import { encodeEnvelope, makeEnvelope } from './codec.js';
import { COMMANDS_DLQ, deadLetter } from './dead-letter.js';
import { OiError } from './oi-error.js';

/** Headers a command reply carries besides the services-protocol error headers. */
export const REPLY_SCHEMA_HEADER = 'Oi-Schema';

export interface CommandContext {
  subject: string;
  /** Who sent it: the `Oi-Caller` header when present, else the envelope's source. */
  caller: string;
  /** SHA-256 of the request bytes, to tell a replay from a reused id. */
  raw: Uint8Array;
}

export interface CommandReply {
  def: MessageDef;
  data: unknown;
}

export interface CommandEndpoint {
  /** Endpoint name as `nats micro info` lists it, e.g. `register`. */
  name: string;
  subject: string;
  accept: readonly MessageDef[];
  /** Reply schema, shown in the endpoint metadata. */
  reply: MessageDef;
  handle: (envelope: Envelope, ctx: CommandContext) => Promise<CommandReply>;
}

/** Per-endpoint outcome counts, served as the `data` of `$SRV.STATS` (`nats micro stats`). */
export interface EndpointCounters {
  requests: number;
  errors: number;
  errors_by_code: Partial<Record<ErrorCode, number>>;
  last_error?: string;
  /** Sum of handling time including the async part, ms. */
  total_ms: number;
}

export interface CommandServiceOptions {
  /** Service name in `$SRV.*` (e.g. `oi-workload`). */
  name: string;
  version: string;
  description: string;
  endpoints: CommandEndpoint[];
  /** Envelope source of replies and dead letters. */
  source: string;
  logger?: Logger;
  maxPayloadBytes?: number;
}

/**
 * Serves commands as a NATS micro service (ADR-32), so `nats micro ls|info|stats` see it and
 * replicas share the load through the service's queue group. Invalid input gets a typed
 * error reply naming field and rule and goes to `oi.v1.dlq.OI_CMD` with the reason.
 */
export async function serveCommands(bus: Bus, opts: CommandServiceOptions): Promise<Service> {
  const logger = opts.logger ?? silentLogger;
  const maxPayload = opts.maxPayloadBytes ?? 256 * 1024;
  // the services library counts only synchronous handler throws and timing; async handlers
  // report their real outcome through the stats `data` field instead
  const counters = new Map<string, EndpointCounters>();
  const svc = await new Svcm(bus.nc).add({
    name: opts.name,
    version: opts.version,
    description: opts.description,
    metadata: { project: 'optiinfra' },
    statsHandler: (endpoint) => Promise.resolve(counters.get(endpoint.subject) ?? null),
  });

  const replyError = (m: ServiceMsg, err: OiError, corr?: string): void => {
    const c = counters.get(m.subject);
    if (c) {
      c.errors++;
      c.errors_by_code[err.code] = (c.errors_by_code[err.code] ?? 0) + 1;
      c.last_error = `${err.code}: ${err.summary}`.slice(0, 200);
    }
    const env = makeEnvelope(
      errorReply,
      {
        code: err.code,
        message: err.summary,
        ...(err.issues.length ? { issues: err.issues } : {}),
        ...(err.hint ? { hint: err.hint } : {}),
      },
      { source: opts.source, ...(corr ? { corr } : {}) }
    );
    const h = natsHeaders();
    h.set(REPLY_SCHEMA_HEADER, errorReply.id);
    m.respondError(err.status, `${err.code}: ${err.message}`.slice(0, 500), encodeEnvelope(env), { headers: h });
  };

  const dlq = async (
    m: ServiceMsg,
    reason: string,
    issues: FieldIssue[],
    schema?: string,
    sensitive?: boolean
  ): Promise<void> => {
    try {
      await deadLetter(
        bus.js,
        {
          stream: COMMANDS_DLQ,
          subject: m.subject,
          reason,
          issues,
          ...(schema ? { schema } : {}),
          raw: m.data,
          ...(m.headers ? { headers: m.headers } : {}),
          sensitive: sensitive ?? false,
        },
        { source: opts.source, retry: { deadlineMs: 5_000 } }
      );
    } catch (err) {
      // the caller already has its error reply; the log keeps the loss visible
      logger.error({ err, subject: m.subject, reason }, 'could not dead-letter an invalid command');
    }
  };

  const handleOne = async (ep: CommandEndpoint, m: ServiceMsg): Promise<void> => {
    if (m.data.byteLength > maxPayload) {
      const err = new OiError(
        'OI_PAYLOAD_TOO_LARGE',
        `payload is ${m.data.byteLength} bytes; the limit is ${maxPayload}`
      );
      await dlq(m, err.message, [{ path: '(root)', rule: 'max_size', message: err.message }]);
      return replyError(m, err);
    }
    const decoded = decodeEnvelope(m.data, ep.accept);
    if (!decoded.ok) {
      const e = decoded.error;
      const code: ErrorCode =
        e.kind === 'unknown_schema'
          ? 'OI_UNKNOWN_SCHEMA'
          : e.kind === 'wrong_schema'
            ? 'OI_WRONG_SCHEMA'
            : 'OI_INVALID_PAYLOAD';
      const schema = 'schema' in e ? e.schema : undefined;
      await dlq(m, e.reason, e.issues, schema, e.kind === 'invalid_data' ? e.sensitive : false);
      return replyError(
        m,
        new OiError(code, e.kind === 'invalid_data' ? `invalid ${e.schema}` : e.reason, e.issues, hintFor(ep))
      );
    }
    const env = decoded.envelope;
    try {
      const caller = m.headers?.get('Oi-Caller') || env.source;
      const reply = await ep.handle(env, { subject: m.subject, caller, raw: m.data });
      const out = makeEnvelope(reply.def, reply.data as never, { source: opts.source, corr: env.id });
      const h = natsHeaders();
      h.set(REPLY_SCHEMA_HEADER, reply.def.id);
      m.respond(encodeEnvelope(out), { headers: h });
    } catch (err) {
      if (err instanceof OiError) return replyError(m, err, env.id);
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code in ERROR_CODES) {
        // stores mark their failures with catalog codes (e.g. OI_UNAVAILABLE)
        return replyError(m, new OiError(code as ErrorCode, (err as Error).message), env.id);
      }
      logger.error({ err, subject: m.subject, id: env.id }, 'command failed');
      replyError(m, new OiError('OI_INTERNAL', `command failed: ${(err as Error).message}`), env.id);
    }
  };

  for (const ep of opts.endpoints) {
    const c: EndpointCounters = { requests: 0, errors: 0, errors_by_code: {}, total_ms: 0 };
    counters.set(ep.subject, c);
    svc.addEndpoint(ep.name, {
      subject: ep.subject,
      metadata: { accepts: ep.accept.map((d) => d.id).join(','), replies: ep.reply.id },
      handler: (err, m) => {
        if (err) {
          logger.error({ err, endpoint: ep.name }, 'service endpoint error');
          return;
        }
        const start = performance.now();
        c.requests++;
        handleOne(ep, m)
          .catch((e: unknown) => logger.error({ err: e, endpoint: ep.name }, 'reply failed'))
          .finally(() => (c.total_ms += performance.now() - start));
      },
    });
  }
  logger.info({ service: opts.name, endpoints: opts.endpoints.map((e) => e.subject) }, 'command service up');
  return svc;
}

function hintFor(ep: CommandEndpoint): string {
  return `send an envelope {schema, id, ts, source, data} with schema ${ep.accept.map((d) => d.id).join(' or ')}; see schemas/json/`;
}
