import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOf, appTelemetryT3V1, type AppTelemetryT3 } from '../../../schemas/index.js';
import { migratePostgres, openPostgres, type Postgres } from '../../../stores/index.js';
import { sharedPostgres, type TestDatabase } from '../../../testkit/index.js';
import { ContentVault, ContentVaultError, tier3KeyFromEnv } from '../index.js';

let database: TestDatabase;
let pg: Postgres;

beforeAll(async () => {
  database = await (await sharedPostgres()).createDatabase('content_vault');
  pg = openPostgres({ url: database.url });
  await migratePostgres(pg);
});

afterAll(async () => {
  await pg?.close();
  await database?.drop();
});

const SECRET = 'Patient 4711 reports chest pain since Tuesday';
const window = (): AppTelemetryT3 => ({
  ...exampleOf(appTelemetryT3V1),
  samples: [{ request_id: 'req-1', request_type: 'summarization', prompt: SECRET, completion: 'Refer to cardiology.' }],
});
const access = { actor: 'application-agent/wl-legal', purpose: 'prompt efficiency review' };

describe('actors application content vault (tier 3)', () => {
  it('keeps only AES-256-GCM ciphertext in PostgreSQL and decrypts it for an audited reader', async () => {
    const vault = new ContentVault(pg, randomBytes(32));
    const [id] = await vault.storeSamples('env-vault-1', '2026-11-24T14:40:50Z', window());
    const { rows } = await pg.query<{ row: string; iv: Buffer; tag: Buffer; ciphertext: Buffer }>(
      'SELECT row_to_json(c)::text AS row, iv, tag, ciphertext FROM app_content c WHERE id = $1',
      [id]
    );
    expect(rows).toHaveLength(1);
    // no column, in any encoding PostgreSQL prints, holds the text
    expect(rows[0]!.row).not.toContain('Patient');
    expect(rows[0]!.row).not.toContain(Buffer.from(SECRET).toString('hex'));
    expect(rows[0]!.ciphertext.includes(Buffer.from('Patient'))).toBe(false);
    expect(rows[0]!.iv).toHaveLength(12);
    expect(rows[0]!.tag).toHaveLength(16);

    const before = Date.now();
    expect(await vault.read(id!, access)).toEqual(window().samples![0]);
    const audit = await pg.query<{ actor: string; purpose: string; outcome: string; accessed_at: Date }>(
      'SELECT actor, purpose, outcome, accessed_at FROM app_content_access WHERE content_id = $1',
      [id]
    );
    expect(audit.rows).toEqual([{ ...access, outcome: 'read', accessed_at: expect.any(Date) }]);
    expect(audit.rows[0]!.accessed_at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
  });

  it('refuses with a clear error under the wrong key, a tampered row or an unknown id, and audits each attempt', async () => {
    const vault = new ContentVault(pg, randomBytes(32));
    const [id] = await vault.storeSamples('env-vault-2', '2026-11-24T14:45:50Z', window());
    const stranger = new ContentVault(pg, randomBytes(32));
    await expect(stranger.read(id!, access)).rejects.toThrow(/encrypted with key [0-9a-f]{16}, not this OI_TIER3_KEY/);
    await pg.query(
      'UPDATE app_content SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE id = $1',
      [id]
    );
    await expect(vault.read(id!, access)).rejects.toThrow(/authentication failed/);
    await expect(vault.read('env-none:0', access)).rejects.toBeInstanceOf(ContentVaultError);
    const outcomes = await pg.query<{ outcome: string }>(
      "SELECT outcome FROM app_content_access WHERE content_id IN ($1, 'env-none:0') ORDER BY id",
      [id]
    );
    expect(outcomes.rows.map((r) => r.outcome)).toEqual(['decrypt_failed', 'decrypt_failed', 'not_found']);
  });

  it('refuses tier-3 content without a key, and a malformed key, naming OI_TIER3_KEY', async () => {
    const vault = ContentVault.fromEnv(pg, {});
    await expect(vault.storeSamples('env-vault-3', '2026-11-24T14:50:50Z', window())).rejects.toThrow(
      /tier-3 content refused: OI_TIER3_KEY is not set/
    );
    expect((await pg.query("SELECT 1 FROM app_content WHERE envelope_id = 'env-vault-3'")).rows).toEqual([]);
    expect(() => tier3KeyFromEnv({ OI_TIER3_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /OI_TIER3_KEY: must be base64 of exactly 32 bytes \(got 16 bytes\)/
    );
    expect(tier3KeyFromEnv({ OI_TIER3_KEY: Buffer.alloc(32, 7).toString('base64') })).toEqual(Buffer.alloc(32, 7));
  });

  it('stores a redelivered window once', async () => {
    const vault = new ContentVault(pg, randomBytes(32));
    await vault.storeSamples('env-vault-4', '2026-11-24T14:55:50Z', window());
    await vault.storeSamples('env-vault-4', '2026-11-24T14:55:50Z', window());
    expect((await pg.query("SELECT id FROM app_content WHERE envelope_id = 'env-vault-4'")).rows).toHaveLength(1);
  });
});
