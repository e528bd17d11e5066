import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { contentSample, type AppTelemetryT3, type ContentSample } from '../../schemas/index.js';
import type { Postgres } from '../../stores/index.js';

/** Why the vault refused; the message says what to do. */
export const ContentVaultCode = {
  keyMissing: 'APP_VAULT_KEY_MISSING',
  keyInvalid: 'APP_VAULT_KEY_INVALID',
  keyMismatch: 'APP_VAULT_KEY_MISMATCH',
  decryptFailed: 'APP_VAULT_DECRYPT_FAILED',
  notFound: 'APP_VAULT_NOT_FOUND',
} as const;
export type ContentVaultCode = (typeof ContentVaultCode)[keyof typeof ContentVaultCode];

export class ContentVaultError extends Error {
  override name = 'ContentVaultError';
  constructor(
    readonly code: ContentVaultCode,
    message: string
  ) {
    super(message);
  }
}

/** The environment variable holding the tier-3 key: base64 of 32 random bytes (`openssl rand -base64 32`). */
export const TIER3_KEY_ENV = 'OI_TIER3_KEY';

/** Reads the AES-256 key; undefined when unset (tier-3 content is then refused), an error when malformed. */
export function tier3KeyFromEnv(env: Record<string, string | undefined> = process.env): Buffer | undefined {
  const raw = env[TIER3_KEY_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const key = Buffer.from(raw, 'base64');
  // Buffer.from skips characters outside the alphabet: a round trip catches a mangled key
  if (key.length !== 32 || key.toString('base64') !== raw) {
    throw new ContentVaultError(
      ContentVaultCode.keyInvalid,
      `${TIER3_KEY_ENV}: must be base64 of exactly 32 bytes (got ${key.length} bytes); create one with \`openssl rand -base64 32\``
    );
  }
  return key;
}

/** Who reads content and why: both land in the audit row. */
export interface ContentAccess {
  actor: string;
  purpose: string;
}

const ALGO = 'aes-256-gcm';
const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Tier-3 application content at rest (seed 000 §9.3.3): each sample is AES-256-GCM encrypted with
 * a fresh 96-bit IV, the row id and workload bound in as additional data (a row's ciphertext
 * cannot be moved to another); PostgreSQL holds ciphertext, IV, tag and the key's id only. Every
 * read attempt writes an audit row (who, why, when, what, and whether it succeeded) before any
 * plaintext is returned.
 */
export class ContentVault {
  readonly #db: Postgres;
  readonly #key: Buffer | undefined;

  constructor(db: Postgres, key: Buffer | undefined) {
    if (key !== undefined && key.length !== 32) {
      throw new ContentVaultError(ContentVaultCode.keyInvalid, `tier-3 key: must be 32 bytes, got ${key.length}`);
    }
    this.#db = db;
    this.#key = key;
  }

  static fromEnv(db: Postgres, env?: Record<string, string | undefined>): ContentVault {
    return new ContentVault(db, tier3KeyFromEnv(env));
  }

  #requireKey(): Buffer {
    if (!this.#key) {
      throw new ContentVaultError(
        ContentVaultCode.keyMissing,
        `tier-3 content refused: ${TIER3_KEY_ENV} is not set, so it cannot be encrypted at rest ` +
          '(set it to base64 of 32 bytes, or send tier-1/2 telemetry)'
      );
    }
    return this.#key;
  }

  /** Stores a tier-3 window's samples; ids are `<envelope id>:<index>`, so a redelivery stores nothing twice. */
  async storeSamples(envelopeId: string, ts: string | Date, data: AppTelemetryT3): Promise<string[]> {
    const samples = data.samples ?? [];
    if (samples.length === 0) return [];
    const key = this.#requireKey();
    const keyId = keyIdOf(key);
    const ids: string[] = [];
    for (const [i, sample] of samples.entries()) {
      const id = `${envelopeId}:${i}`;
      const iv = randomBytes(12);
      const cipher = createCipheriv(ALGO, key, iv);
      cipher.setAAD(Buffer.from(`${id}\n${data.workload}`));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(sample), 'utf8'), cipher.final()]);
      await this.#db.query(
        `INSERT INTO app_content (id, workload, node, request_type, window_ts, envelope_id, iv, tag, ciphertext, key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
        [
          id,
          data.workload,
          data.node,
          sample.request_type ?? null,
          new Date(ts),
          envelopeId,
          iv,
          cipher.getAuthTag(),
          ciphertext,
          keyId,
        ]
      );
      ids.push(id);
    }
    return ids;
  }

  /** Decrypts one sample; the audit row is written first, failed attempts included. */
  async read(id: string, access: ContentAccess): Promise<ContentSample> {
    if (!access.actor || !access.purpose) {
      throw new Error('content access: actor and purpose are required (they are audited)');
    }
    const key = this.#requireKey();
    const { rows } = await this.#db.query<{
      workload: string;
      iv: Buffer;
      tag: Buffer;
      ciphertext: Buffer;
      key_id: string;
    }>('SELECT workload, iv, tag, ciphertext, key_id FROM app_content WHERE id = $1', [id]);
    const row = rows[0];
    if (!row) {
      await this.#audit(id, access, 'not_found');
      throw new ContentVaultError(ContentVaultCode.notFound, `tier-3 content ${id}: no such row`);
    }
    if (row.key_id !== keyIdOf(key)) {
      await this.#audit(id, access, 'decrypt_failed');
      throw new ContentVaultError(
        ContentVaultCode.keyMismatch,
        `tier-3 content ${id} was encrypted with key ${row.key_id}, not this ${TIER3_KEY_ENV} (${keyIdOf(key)}): ` +
          'wrong key, or the key was rotated without re-encrypting'
      );
    }
    let plain: string;
    try {
      const decipher = createDecipheriv(ALGO, key, row.iv);
      decipher.setAAD(Buffer.from(`${id}\n${row.workload}`));
      decipher.setAuthTag(row.tag);
      plain = Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      await this.#audit(id, access, 'decrypt_failed');
      throw new ContentVaultError(
        ContentVaultCode.decryptFailed,
        `tier-3 content ${id}: authentication failed (the row was altered, or moved from another row)`
      );
    }
    await this.#audit(id, access, 'read');
    return contentSample.parse(JSON.parse(plain));
  }

  async #audit(id: string, access: ContentAccess, outcome: 'read' | 'not_found' | 'decrypt_failed'): Promise<void> {
    await this.#db.query(
      'INSERT INTO app_content_access (content_id, actor, purpose, outcome) VALUES ($1, $2, $3, $4)',
      [id, access.actor, access.purpose, outcome]
    );
  }
}
