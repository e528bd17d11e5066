import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { registerSecret } from '../config/index.js';
import { permissionsFor, principal, ROLES, type Principal, type Role } from './roles.js';
import { natsAuthConfig, type ServerTls } from './server-config.js';

/** One credential's public part: who, which role, since when. The password lives in `<user>.pass`. */
export interface CredentialRecord {
  user: string;
  role: Role;
  node?: string;
  created_at: string;
  rotated_at?: string;
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Each connect pays this once on the server; hashes are kept so a config rewrite is cheap. */
const BCRYPT_COST = 10;
const USERS_FILE = 'users.json';
export const AUTH_CONFIG_FILE = 'nats-auth.conf';

/** 32 characters of base64url: 192 random bits. */
function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Per-role and per-node NATS credentials in one directory (mode 0700, files 0600): a
 * password file per user (what `OI_NATS_PASS_FILE` points at), the public records, and the
 * server's authorization config generated from both.
 */
export class CredentialStore {
  constructor(readonly dir: string) {}

  passwordFile(user: string): string {
    return join(this.dir, `${user}.pass`);
  }

  get authConfigFile(): string {
    return join(this.dir, AUTH_CONFIG_FILE);
  }

  async list(): Promise<CredentialRecord[]> {
    try {
      return JSON.parse(await readFile(join(this.dir, USERS_FILE), 'utf8')) as CredentialRecord[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Creates the principal's credential when missing; `created` says whether it is new. */
  async ensure(p: Principal): Promise<{ record: CredentialRecord; created: boolean }> {
    await this.#ensureDir();
    const records = await this.list();
    const found = records.find((r) => r.user === p.user);
    if (found) return { record: found, created: false };
    const record: CredentialRecord = {
      user: p.user,
      role: p.role,
      ...(p.node ? { node: p.node } : {}),
      created_at: new Date().toISOString(),
    };
    await this.#writePrivate(this.passwordFile(p.user), newPassword() + '\n');
    await this.#writePrivate(join(this.dir, USERS_FILE), JSON.stringify([...records, record], null, 2) + '\n');
    return { record, created: true };
  }

  /** A new password for `user`; the server needs its config reloaded (`nats-server --signal reload`). */
  async rotate(user: string): Promise<CredentialRecord> {
    const records = await this.list();
    const record = records.find((r) => r.user === user);
    if (!record) throw new Error(`no credential for user ${user} in ${this.dir}`);
    record.rotated_at = new Date().toISOString();
    await this.#writePrivate(this.passwordFile(user), newPassword() + '\n');
    await this.#writePrivate(join(this.dir, USERS_FILE), JSON.stringify(records, null, 2) + '\n');
    return record;
  }

  /** The password of `user`, registered for scrubbing before the caller sees it. */
  async password(user: string): Promise<string> {
    const text = (await readFile(this.passwordFile(user), 'utf8')).trim();
    registerSecret(text);
    return text;
  }

  /** Writes the server's authorization config for every stored user; returns its path. */
  async writeAuthConfig(opts: { tls?: ServerTls } = {}): Promise<string> {
    const users = await Promise.all(
      (await this.list()).map(async (r) => ({
        user: r.user,
        // the server config holds only a bcrypt hash: reading it yields no password
        password: await this.#hashOf(r.user),
        permissions: permissionsFor(principalOf(r)),
      }))
    );
    await this.#writePrivate(this.authConfigFile, natsAuthConfig(users, opts));
    return this.authConfigFile;
  }

  /** The bcrypt hash of the user's current password, kept beside it and redone after a rotation. */
  async #hashOf(user: string): Promise<string> {
    const password = await this.password(user);
    const file = join(this.dir, `${user}.bcrypt`);
    const [kept, hashedAt, passAt] = await Promise.all([
      readFile(file, 'utf8').then(
        (t) => t.trim(),
        () => ''
      ),
      stat(file).then(
        (st) => st.mtimeMs,
        () => -1
      ),
      stat(this.passwordFile(user)).then((st) => st.mtimeMs),
    ]);
    if (kept && hashedAt > passAt) return kept;
    const fresh = await bcrypt.hash(password, BCRYPT_COST);
    await this.#writePrivate(file, `${fresh}\n`);
    return fresh;
  }

  /** Fails when the directory or a file in it is readable by anyone but the owner. */
  async checkModes(): Promise<void> {
    const dirMode = (await stat(this.dir)).mode & 0o777;
    if (dirMode & 0o077) throw new Error(`${this.dir} has mode ${dirMode.toString(8)}; expected 700`);
    for (const f of [USERS_FILE, ...(await this.list()).map((r) => `${r.user}.pass`)]) {
      const mode = (await stat(join(this.dir, f))).mode & 0o777;
      if (mode & 0o077) throw new Error(`${join(this.dir, f)} has mode ${mode.toString(8)}; expected 600`);
    }
  }

  async #ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    // mkdir's mode is filtered by the umask and ignored for an existing dir
    await chmod(this.dir, DIR_MODE);
  }

  // write-then-rename: a reader never sees half a file, and the mode is set before any content
  async #writePrivate(path: string, text: string): Promise<void> {
    await this.#ensureDir();
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, '', { mode: FILE_MODE, flag: 'wx' });
    await chmod(tmp, FILE_MODE);
    await writeFile(tmp, text);
    await rename(tmp, path);
  }
}

export function principalOf(r: CredentialRecord): Principal {
  if (!ROLES.includes(r.role)) throw new Error(`user ${r.user}: unknown role ${r.role}`);
  if (r.role === 'edge') return principal('edge', { node: r.node! });
  if (r.role === 'operator') return principal('operator', { name: r.user.replace(/^op-/, '') });
  return principal(r.role);
}

/** The service roles every deployment needs; edges and operators are added by name. */
export const SERVICE_ROLES: readonly Role[] = ['supervisor', 'host', 'ingest', 'notify', 'executor', 'sim', 'admin'];
