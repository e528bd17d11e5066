import type { z } from 'zod';
import { SCHEMA_ID_PATTERN, envelopeShape, type Envelope } from './envelope.js';
import { describeIssues, issuesOf, type FieldIssue } from './issues.js';

/** A registered message type: its schema id and the zod schema of its `data`. */
export interface MessageDef<S extends z.ZodType = z.ZodType> {
  readonly id: string;
  readonly version: number;
  readonly data: S;
  readonly description: string;
  /** `data` may carry secrets or privacy-tiered content: the DLQ keeps a hash, never the bytes. */
  readonly sensitive: boolean;
}

export type DataOf<D> = D extends MessageDef<infer S> ? z.infer<S> : never;

const definitions = new Map<string, MessageDef>();

/** Registers a message type; a second registration of the same id throws at load. */
export function defineMessage<S extends z.ZodType>(def: {
  id: string;
  data: S;
  description: string;
  sensitive?: boolean;
}): MessageDef<S> {
  if (!SCHEMA_ID_PATTERN.test(def.id)) throw new Error(`schema id ${def.id} must look like oi.<domain>.<name>.v<N>`);
  if (definitions.has(def.id)) throw new Error(`schema id ${def.id} is registered twice`);
  const version = Number(def.id.slice(def.id.lastIndexOf('.v') + 2));
  const out: MessageDef<S> = {
    id: def.id,
    version,
    data: def.data,
    description: def.description,
    sensitive: def.sensitive ?? false,
  };
  definitions.set(def.id, out);
  return out;
}

export function lookupMessage(id: string): MessageDef | undefined {
  return definitions.get(id);
}

export function allMessages(): MessageDef[] {
  return [...definitions.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export type DecodeFailure =
  | { kind: 'not_json'; reason: string; issues: FieldIssue[] }
  | { kind: 'bad_envelope'; reason: string; issues: FieldIssue[]; schema?: string }
  | { kind: 'unknown_schema'; reason: string; issues: FieldIssue[]; schema: string }
  | { kind: 'wrong_schema'; reason: string; issues: FieldIssue[]; schema: string }
  | { kind: 'invalid_data'; reason: string; issues: FieldIssue[]; schema: string; sensitive: boolean };

export type DecodeResult<T = unknown> =
  { ok: true; envelope: Envelope<T>; def: MessageDef } | { ok: false; error: DecodeFailure };

/** Parses and validates an envelope; `expect` limits which schema ids are acceptable here. */
export function decodeEnvelope<T = unknown>(raw: string | Uint8Array, expect?: readonly MessageDef[]): DecodeResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
  } catch (err) {
    const reason = `payload is not JSON: ${(err as Error).message}`;
    return {
      ok: false,
      error: { kind: 'not_json', reason, issues: [{ path: '(root)', rule: 'json', message: reason }] },
    };
  }
  const head = envelopeShape.safeParse(json);
  if (!head.success) {
    const issues = issuesOf(head.error);
    const schema =
      typeof (json as { schema?: unknown })?.schema === 'string' ? (json as { schema: string }).schema : undefined;
    return {
      ok: false,
      error: {
        kind: 'bad_envelope',
        reason: `invalid envelope: ${describeIssues(issues)}`,
        issues,
        ...(schema ? { schema } : {}),
      },
    };
  }
  const env = head.data as Envelope;
  const def = definitions.get(env.schema);
  if (!def) {
    const reason = `unknown schema ${env.schema}`;
    return {
      ok: false,
      error: {
        kind: 'unknown_schema',
        reason,
        schema: env.schema,
        issues: [{ path: 'schema', rule: 'known_schema', message: reason }],
      },
    };
  }
  if (expect && !expect.includes(def)) {
    const reason = `schema ${env.schema} is not accepted here (expected ${expect.map((d) => d.id).join(' or ')})`;
    return {
      ok: false,
      error: {
        kind: 'wrong_schema',
        reason,
        schema: env.schema,
        issues: [{ path: 'schema', rule: 'expected_schema', message: reason }],
      },
    };
  }
  const data = def.data.safeParse(env.data);
  if (!data.success) {
    const issues = issuesOf(data.error, ['data']);
    return {
      ok: false,
      error: {
        kind: 'invalid_data',
        reason: `invalid ${env.schema}: ${describeIssues(issues)}`,
        issues,
        schema: env.schema,
        sensitive: def.sensitive,
      },
    };
  }
  return { ok: true, envelope: { ...env, data: data.data as T }, def };
}

/** Validates `data` against its definition before it leaves the process; throws naming field and rule. */
export function checkData<S extends z.ZodType>(def: MessageDef<S>, data: unknown): z.infer<S> {
  const parsed = def.data.safeParse(data);
  if (!parsed.success) {
    throw new SchemaError(def.id, issuesOf(parsed.error, ['data']));
  }
  return parsed.data;
}

export class SchemaError extends Error {
  override name = 'SchemaError';
  constructor(
    readonly schema: string,
    readonly issues: FieldIssue[]
  ) {
    super(`invalid ${schema}: ${describeIssues(issues)}`);
  }
}
