import { join, resolve } from 'node:path';
import { CredentialStore, principal, ROLES, SERVICE_ROLES, type Role } from '../security/index.js';
import { flag, UsageError, type Args } from './args.js';

export const CREDS_USAGE = `optiinfra creds init|add|rotate|list|env|server-config [--dir .oi-run/creds]
  init [--edge n1,n2] [--operator alice,bob]   credentials of every service role, plus the named
                                              edges and operators, and the server config
  add <role> [--node n1 | --name alice]       one more (roles: ${ROLES.join(', ')})
  rotate <user>                               a new password; reload nats-server afterwards
  list                                        users, roles and dates (never the passwords)
  env <user> [--show-secret]                  the OI_NATS_* lines a process of that user needs;
                                              the password itself only with --show-secret
  server-config [--tls-cert f --tls-key f [--tls-ca f]]   (re)writes nats-auth.conf
  Files are mode 0600 in a 0700 directory; nothing secret is printed unless asked.`;

const DEFAULT_DIR = '.oi-run/creds';

export async function runCreds(args: Args): Promise<number> {
  const [sub, ...rest] = args.positionals;
  const store = new CredentialStore(resolve(flag(args, 'dir') ?? DEFAULT_DIR));
  const say = (line: string): void => console.log(line);
  const names = (f: string): string[] =>
    (flag(args, f) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  switch (sub) {
    case 'init': {
      const wanted = [
        ...SERVICE_ROLES.map((r) => principal(r)),
        ...names('edge').map((node) => principal('edge', { node })),
        ...names('operator').map((name) => principal('operator', { name })),
      ];
      for (const p of wanted) {
        const { created } = await store.ensure(p);
        say(`${created ? 'created' : 'kept   '} ${p.user} (${p.role})`);
      }
      say(`server config: ${await store.writeAuthConfig(tlsFlags(args))}`);
      return 0;
    }
    case 'add': {
      const role = rest[0] as Role | undefined;
      if (!role || !ROLES.includes(role)) throw new UsageError(`creds add <role>: one of ${ROLES.join(', ')}`);
      const node = flag(args, 'node');
      const name = flag(args, 'name');
      const p = principal(role, { ...(node ? { node } : {}), ...(name ? { name } : {}) });
      const { created } = await store.ensure(p);
      say(`${created ? 'created' : 'exists '} ${p.user} (${p.role}); password file ${store.passwordFile(p.user)}`);
      say(`server config: ${await store.writeAuthConfig(tlsFlags(args))} (reload nats-server to apply)`);
      return 0;
    }
    case 'rotate': {
      const user = rest[0];
      if (!user) throw new UsageError('creds rotate <user>');
      await store.rotate(user);
      say(`rotated ${user}; server config: ${await store.writeAuthConfig(tlsFlags(args))}`);
      say('apply it: nats-server --signal reload (or SIGHUP), then restart the processes of that user');
      return 0;
    }
    case 'list': {
      for (const r of await store.list()) {
        say(
          `${r.user.padEnd(24)} ${r.role.padEnd(10)} created ${r.created_at}${r.rotated_at ? ` rotated ${r.rotated_at}` : ''}`
        );
      }
      return 0;
    }
    case 'env': {
      // `--show-secret` before the user swallows it as the flag's value
      const shown = args.flags.get('show-secret');
      const user = rest[0] ?? (typeof shown === 'string' ? shown : undefined);
      if (!user) throw new UsageError('creds env <user> [--show-secret]');
      if (!(await store.list()).some((r) => r.user === user))
        throw new Error(`no credential for ${user} in ${store.dir}`);
      say(`OI_NATS_USER=${user}`);
      say(`OI_NATS_PASS_FILE=${store.passwordFile(user)}`);
      if (shown !== undefined) say(`OI_NATS_PASS=${await store.password(user)}`);
      return 0;
    }
    case 'server-config':
      say(await store.writeAuthConfig(tlsFlags(args)));
      return 0;
    default:
      throw new UsageError(CREDS_USAGE);
  }
}

function tlsFlags(args: Args): { tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean } } {
  const certFile = flag(args, 'tls-cert');
  const keyFile = flag(args, 'tls-key');
  if (!certFile && !keyFile) return {};
  if (!certFile || !keyFile) throw new UsageError('--tls-cert and --tls-key go together');
  const caFile = flag(args, 'tls-ca');
  return { tls: { certFile, keyFile, ...(caFile ? { caFile, verify: true } : {}) } };
}

/** Where `optiinfra up` keeps the credentials of the processes it starts. */
export function credsDirOf(runDir: string): string {
  return join(runDir, 'creds');
}
