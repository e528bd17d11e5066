import bcrypt from 'bcryptjs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore } from './credential-store.js';
import { principal } from './roles.js';

describe('security CredentialStore', () => {
  let root: string;
  let store: CredentialStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'oi-store-'));
    store = new CredentialStore(join(root, 'creds'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const mode = async (p: string): Promise<string> => ((await stat(p)).mode & 0o777).toString(8);

  it('creates a 0700 directory of 0600 files, once per user', async () => {
    const edge = principal('edge', { node: 'n1' });
    expect((await store.ensure(edge)).created).toBe(true);
    expect((await store.ensure(edge)).created).toBe(false);
    expect(await mode(store.dir)).toBe('700');
    expect(await mode(store.passwordFile('edge-n1'))).toBe('600');
    expect(await mode(join(store.dir, 'users.json'))).toBe('600');
    expect(await mode(await store.writeAuthConfig())).toBe('600');
    await expect(store.checkModes()).resolves.toBeUndefined();
  });

  it('keeps passwords out of the public records and gives a new one on rotation', async () => {
    await store.ensure(principal('host'));
    const before = await store.password('host');
    expect(before).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await readFile(join(store.dir, 'users.json'), 'utf8')).not.toContain(before);
    const record = await store.rotate('host');
    expect(record.rotated_at).toBeDefined();
    const after = await store.password('host');
    expect(after).not.toBe(before);
    const conf = await readFile(await store.writeAuthConfig(), 'utf8');
    expect(conf).not.toContain(after);
    const hash = /user: "host", password: "([^"]+)"/.exec(conf)?.[1] ?? '';
    expect(await bcrypt.compare(after, hash)).toBe(true);
    expect(await bcrypt.compare(before, hash)).toBe(false);
    await expect(store.rotate('nobody')).rejects.toThrow(`no credential for user nobody in ${store.dir}`);
  });
});
