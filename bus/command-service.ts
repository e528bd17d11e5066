import { ServiceErrorCodeHeader, ServiceErrorHeader, Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { headers as natsHeaders, type Msg, type Subscription } from '@nats-io/nats-core';
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
import { scopedCommandSubject, SCOPED_COMMAND_ROOT } from './caller-identity.js';
import { maxPayloadFor } from './payload-limits.js';
import { TokenBuckets, type RateLimitOptions } from './rate-limit.js';

/** Headers a command reply carries besides the services-protocol error headers. */
export const REPLY_SCHEMA_HEADER = 'Oi-Schema';

export interface CommandContext {
  subject: string;
  /**
   * Who sent it: `nats:<user>` when it came on the caller-scoped subject `oi.as.<user>.…`
   * (nats-server let only that user publish there); else the `Oi-Caller` header, else the
   * envelope's source, which prove nothing.
   */
  caller: string;
  /** True when `caller` is the authenticated NATS user. */
  authenticated: boolean;
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
  /** Default: the `cmd` class limit of PAYLOAD_LIMITS_BYTES (256 KiB). */
  maxPayloadBytes?: number;
  /** Per caller; default 200/s sustained, bursts of 2000. */
  rateLimit?: RateLimitOptions;
  /** Requests being handled at once, beyond which new ones are refused at once; default 1024. */
  maxInFlight?: number;
}

export const DEFAULT_COMMAND_RATE: RateLimitOptions = { ratePerSec: 200, burst: 2000 };
export const DEFAULT_MAX_IN_FLIGHT = 1024;

/**
 * Serves commands as a NATS micro service (ADR-32), so `nats micro ls|info|stats` see it and
 * replicas share the load through the service's queue group. Invalid input gets a typed
 * error reply naming field and rule and goes to `oi.v1.dlq.OI_CMD` with the reason.
 */
export async function serveCommands(bus: Bus, opts: CommandServiceOptions): Promise<Service> {
  const logger = opts.logger ?? silentLogger;
  const maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const buckets = new TokenBuckets(opts.rateLimit ?? DEFAULT_COMMAND_RATE);
  let inFlight = 0;
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

  const replyError = (m: ServiceMsg, err: OiError, corr?: string, c?: EndpointCounters): void => {
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

  const handleOne = async (
    ep: CommandEndpoint,
    m: ServiceMsg,
    c: EndpointCounters,
    user: string | undefined
  ): Promise<void> => {
    const replyErr = (err: OiError, corr?: string): void => replyError(m, err, corr, c);
    const maxPayload = opts.maxPayloadBytes ?? maxPayloadFor(ep.subject);
    if (m.data.byteLength > maxPayload) {
      const err = new OiError(
        'OI_PAYLOAD_TOO_LARGE',
        `payload is ${m.data.byteLength} bytes; the limit of ${ep.subject} is ${maxPayload}`,
        [],
        'send less: the limit is per subject class (bus/payload-limits.ts)'
      );
      // the bytes are not kept: a hash and the size say enough about an oversize flood
      await dlq(m, err.message, [{ path: '(root)', rule: 'max_size', message: err.message }], undefined, true);
      return replyErr(err);
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
      return replyErr(
        new OiError(code, e.kind === 'invalid_data' ? `invalid ${e.schema}` : e.reason, e.issues, hintFor(ep))
      );
    }
    const env = decoded.envelope;
    try {
      const caller = user ? `nats:${user}` : m.headers?.get('Oi-Caller') || env.source;
      const reply = await ep.handle(env, { subject: ep.subject, caller, authenticated: !!user, raw: m.data });
      const out = makeEnvelope(reply.def, reply.data as never, { source: opts.source, corr: env.id });
      const h = natsHeaders();
      h.set(REPLY_SCHEMA_HEADER, reply.def.id);
      m.respond(encodeEnvelope(out), { headers: h });
    } catch (err) {
      if (err instanceof OiError) return replyErr(err, env.id);
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code in ERROR_CODES) {
        // stores mark their failures with catalog codes (e.g. OI_UNAVAILABLE)
        return replyErr(new OiError(code as ErrorCode, (err as Error).message), env.id);
      }
      logger.error({ err, subject: m.subject, id: env.id }, 'command failed');
      replyErr(new OiError('OI_INTERNAL', `command failed: ${(err as Error).message}`), env.id);
    }
  };

  // refusals that cost no decoding and write nothing: a flood must not reach PostgreSQL or the DLQ
  const admit = (m: ServiceMsg, c: EndpointCounters, user: string | undefined): boolean => {
    if (inFlight >= maxInFlight) {
      replyError(
        m,
        limitError('in_flight', `${inFlight} commands in flight; the limit is ${maxInFlight}`),
        undefined,
        c
      );
      return false;
    }
    const key = user ? `nats:${user}` : (m.headers?.get('Oi-Caller') ?? 'anonymous');
    const verdict = buckets.take(key);
    if (!verdict.ok) {
      const { ratePerSec, burst } = buckets.opts;
      replyError(
        m,
        limitError(
          'rate_limit',
          `${key} exceeded ${ratePerSec} commands/s (bursts of ${burst}); retry in ${verdict.retryAfterMs} ms`
        ),
        undefined,
        c
      );
      return false;
    }
    return true;
  };

  const serve = (ep: CommandEndpoint, c: EndpointCounters, m: ServiceMsg, user: string | undefined): void => {
    const start = performance.now();
    c.requests++;
    if (!admit(m, c, user)) return;
    inFlight++;
    handleOne(ep, m, c, user)
      .catch((e: unknown) => logger.error({ err: e, endpoint: ep.name }, 'reply failed'))
      .finally(() => {
        inFlight--;
        c.total_ms += performance.now() - start;
      });
  };

  const scopedSubs: Subscription[] = [];
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
        serve(ep, c, m, undefined);
      },
    });
    // the caller-scoped twin `oi.as.<user>.<subject>`: same queue group, same counters (its
    // requests show in `data.requests`, not in the services library's `num_requests`)
    scopedSubs.push(
      bus.nc.subscribe(scopedCommandSubject('*', ep.subject), {
        queue: SERVICE_QUEUE,
        callback: (err, msg) => {
          if (err) {
            logger.error({ err, endpoint: ep.name }, 'caller-scoped endpoint error');
            return;
          }
          serve(ep, c, asServiceMsg(msg), msg.subject.split('.')[SCOPED_USER_TOKEN]);
        },
      })
    );
  }
  // leadership moves stop the service: the scoped twins stop with it
  const stopService = svc.stop.bind(svc);
  svc.stop = (err?: Error) => {
    for (const sub of scopedSubs) sub.unsubscribe();
    return stopService(err);
  };
  logger.info({ service: opts.name, endpoints: opts.endpoints.map((e) => e.subject) }, 'command service up');
  return svc;
}

/** The services library's default queue group, so plain and scoped requests spread alike. */
const SERVICE_QUEUE = 'q';

// `oi.as.<user>.…`: the token after the root's two
const SCOPED_USER_TOKEN = SCOPED_COMMAND_ROOT.split('.').length;

/** Limits answer OI_UNAVAILABLE ("retry later"); the issue's rule says which limit. */
function limitError(rule: 'rate_limit' | 'in_flight', message: string): OiError {
  return new OiError(
    'OI_UNAVAILABLE',
    message,
    [{ path: '(caller)', rule, message }],
    'slow down and retry with the same envelope id'
  );
}

/** A core message answered with the services error headers, as a service endpoint would. */
function asServiceMsg(msg: Msg): ServiceMsg {
  const m = msg as ServiceMsg;
  m.respondError = (code, description, data, opts) => {
    const h = opts?.headers ?? natsHeaders();
    h.set(ServiceErrorHeader, description);
    h.set(ServiceErrorCodeHeader, String(code));
    return msg.respond(data, { headers: h });
  };
  return m;
}

function hintFor(ep: CommandEndpoint): string {
  return `send an envelope {schema, id, ts, source, data} with schema ${ep.accept.map((d) => d.id).join(' or ')}; see schemas/json/`;
}
