import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { containsSecret, loadSecrets, readSecret, registerSecret, scrubSecrets } from './secrets.js';

describe('config secrets', () => {
  it('reads a secret from the variable, else from its _FILE, trimming the newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oi-secret-'));
    try {
      writeFileSync(join(dir, 'key'), 'from-file-0123\n', { mode: 0o600 });
      expect(readSecret('OI_TIER3_KEY', { OI_TIER3_KEY: 'from-env-0123' })).toBe('from-env-0123');
      expect(readSecret('OI_TIER3_KEY', { OI_TIER3_KEY_FILE: join(dir, 'key') })).toBe('from-file-0123');
      expect(readSecret('OI_TIER3_KEY', {})).toBeUndefined();
      expect(() => readSecret('OI_TIER3_KEY', { OI_TIER3_KEY_FILE: join(dir, 'missing') })).toThrow(
        `OI_TIER3_KEY_FILE=${join(dir, 'missing')}: cannot read the secret file (ENOENT)`
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scrubs registered values, their JSON-escaped form and URL passwords from free text', () => {
    registerSecret('s3cr"et\\value');
    const text = `failed: ${JSON.stringify({ k: 's3cr"et\\value' })} connecting to postgres://app:hunter22@db:5432/x`;
    const out = scrubSecrets(text);
    expect(out).toBe('failed: {"k":"[redacted]"} connecting to postgres://app:[redacted]@db:5432/x');
    expect(containsSecret(text)).toBe(true);
    expect(containsSecret(out)).toBe(false);
  });

  it('leaves values too short to scrub safely alone', () => {
    registerSecret('abc');
    expect(scrubSecrets('abc abc')).toBe('abc abc');
  });

  it('registers the PostgreSQL password inside OI_PG_URL and each webhook URL', () => {
    const s = loadSecrets({
      OI_PG_URL: 'postgres://postgres:pg-pass-4711@127.0.0.1/x',
      OI_LLM_API_KEY: 'sk-llm-key-4711',
      OI_NOTIFY_WEBHOOKS: '[{"url":"https://hooks.example/T0/B0/tok4711","events":["x"]}]',
    });
    expect(s).toEqual({ pgPassword: 'pg-pass-4711', llmApiKey: 'sk-llm-key-4711' });
    expect(scrubSecrets('pg-pass-4711 sk-llm-key-4711 https://hooks.example/T0/B0/tok4711')).toBe(
      '[redacted] [redacted] [redacted]'
    );
  });

  it('keeps secrets out of log lines: by field path and by value inside messages', () => {
    registerSecret('tier3-key-value-99');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger('t', { destination: sink });
    log.info({ pass: 'nats-pass-value', cfg: { llmApiKey: 'k-123456' } }, 'start');
    log.error({ err: new Error('decrypt with tier3-key-value-99 failed') }, 'boom');
    const all = lines.join('');
    expect(all).not.toMatch(/nats-pass-value|k-123456|tier3-key-value-99/);
    expect(all).toContain('decrypt with [redacted] failed');
  });
});
