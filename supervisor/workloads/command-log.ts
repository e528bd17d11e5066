import { createHash } from 'node:crypto';
import type { PoolClient } from '../../stores/index.js';
import type { Envelope } from '../../schemas/index.js';
import { OiError } from '../../bus/index.js';

/**
 * The durable record of commands (DESIGN.md: PostgreSQL, not JetStream, is the record).
 * A command id seen before answers with the stored reply, so retries after a timeout, after
 * the stream's duplicate window or after a restart all get the same answer and no new effect.
 */

export interface StoredReply {
  schema: string;
  data: unknown;
}

/** Hash of what the command asks for: schema and data, not the envelope's ts or source. */
export function requestDigest(env: Envelope): string {
  return createHash('sha256').update(env.schema).update('\0').update(stableJson(env.data)).digest('hex');
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Serializes concurrent copies of one command and returns the earlier reply when there is one. */
export async function priorReply(tx: PoolClient, env: Envelope): Promise<StoredReply | undefined> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [env.id]);
  const { rows } = await tx.query<{ request_sha256: string; reply: StoredReply; status: string }>(
    'SELECT request_sha256, reply, status FROM commands WHERE id = $1',
    [env.id]
  );
  const row = rows[0];
  if (!row) return undefined;
  if (row.request_sha256 !== requestDigest(env)) {
    throw new OiError(
      'OI_CONFLICT',
      `command id ${env.id} was already used for a different request`,
      [{ path: 'id', rule: 'unique_command', message: 'reuse an id only to retry the identical command' }],
      'send a new envelope id for a new command'
    );
  }
  if (row.status === 'error') {
    const e = row.reply.data as { code: OiError['code']; message: string };
    throw new OiError(e.code, e.message);
  }
  return row.reply;
}

export async function recordCommand(
  tx: PoolClient,
  env: Envelope,
  subject: string,
  caller: string,
  status: 'ok' | 'error',
  reply: StoredReply
): Promise<void> {
  await tx.query(
    `INSERT INTO commands (id, schema, subject, source, caller, ts, request_sha256, status, reply)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [env.id, env.schema, subject, env.source, caller, env.ts, requestDigest(env), status, JSON.stringify(reply)]
  );
}

export async function audit(
  tx: PoolClient,
  entry: { actor: string; action: string; workload?: string; subject?: string; detail?: unknown }
): Promise<void> {
  await tx.query('INSERT INTO audit (actor, action, workload, subject, detail) VALUES ($1, $2, $3, $4, $5)', [
    entry.actor,
    entry.action,
    entry.workload ?? null,
    entry.subject ?? null,
    JSON.stringify(entry.detail ?? {}),
  ]);
}
