import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// `optiinfra creds …` as cli/main.ts runs it, in its own process (the command prints)
const RUN = `import { parseArgs } from './cli/args.ts'; import { runCreds } from './cli/creds.ts';
process.exitCode = await runCreds(parseArgs(process.argv.slice(1)));`;

describe('security optiinfra creds', () => {
  let dir: string;
  const creds = async (...args: string[]): Promise<string> =>
    (
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', RUN, '--', ...args, '--dir', dir],
        {
          cwd: ROOT,
        }
      )
    ).stdout;
  beforeAll(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'oi-creds-cli-')), 'creds');
  });
  afterAll(() => rm(join(dir, '..'), { recursive: true, force: true }));

  it('creates every role, never printing a password unless asked', async () => {
    const init = await creds('init', '--edge', 'n1,n2', '--operator', 'alice');
    expect(init).toMatch(/created supervisor \(supervisor\)/);
    expect(init).toMatch(/created edge-n2 \(edge\)/);
    expect(init).toMatch(/created op-alice \(operator\)/);
    expect(((await stat(dir)).mode & 0o777).toString(8)).toBe('700');
    const pass = (await readFile(join(dir, 'edge-n1.pass'), 'utf8')).trim();
    const listed = await creds('list');
    expect(listed.split('\n').filter(Boolean)).toHaveLength(10);
    const env = await creds('env', 'edge-n1');
    expect(env).toBe(`OI_NATS_USER=edge-n1\nOI_NATS_PASS_FILE=${join(dir, 'edge-n1.pass')}\n`);
    for (const out of [init, listed, env]) expect(out).not.toContain(pass);
    expect(await creds('env', 'edge-n1', '--show-secret')).toContain(`OI_NATS_PASS=${pass}`);
    // a second init keeps what exists
    expect(await creds('init')).toMatch(/kept {4}host \(host\)/);
    expect((await readFile(join(dir, 'edge-n1.pass'), 'utf8')).trim()).toBe(pass);
    await creds('rotate', 'edge-n1');
    expect((await readFile(join(dir, 'edge-n1.pass'), 'utf8')).trim()).not.toBe(pass);
  }, 180_000); // six CLI processes, each hashing the passwords it writes with bcrypt
});
