import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startClickHouse, startNats, startPostgres } from '../testkit/index.js';
import { ENV_VARS, PROCESSES, redactUrl, type ProcessName } from '../config/index.js';
import { CredentialStore, principal, SERVICE_ROLES, type Role } from '../security/index.js';
import { connectBus, request } from '../bus/index.js';
import { registerWorkloadV1, STREAMS, subjects } from '../schemas/index.js';
import { loadFleetSpec } from '../sim/index.js';
import { flag, type Args } from './args.js';
import { credsDirOf } from './creds.js';
import { localOperator } from './connect.js';

export const UP_USAGE = `optiinfra up [--dir .oi-run] [--nats-port 4222] [--pg-port 55432] [--ch-port 8123]
             [--fleet sim/fleet/examples/fleet.yaml] [--trace <file> | --synthetic 86400] [--no-sim] [--no-auth]
  Starts nats-server, PostgreSQL and ClickHouse (installed by npm run setup; data kept in
  --dir), then every OptiInfra process and the simulator replaying a trace through a simulated
  fleet on the lockstep clock (a seeded synthetic day by default), shows what runs where, and
  stops it all on Ctrl-C. NATS runs with a user per role (credentials in <dir>/creds, see
  \`optiinfra creds\`) unless --no-auth.`;

/** Actor kinds the host of `up` runs unless OI_HOST_ACTORS says otherwise: the four agents. */
export const UP_HOST_ACTORS = 'cost,performance,resource,application';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Child {
  name: ProcessName;
  proc?: ChildProcess;
  restarts: number;
}

export async function runUp(args: Args): Promise<number> {
  const dir = resolve(flag(args, 'dir') ?? join(ROOT, '.oi-run'));
  mkdirSync(dir, { recursive: true });
  const say = (line: string): void => console.log(`[up] ${line}`);
  const port = (name: string, fallback: number): number => Number(flag(args, name) ?? fallback);

  const creds = args.flags.has('no-auth') ? undefined : await prepareCredentials(dir);
  say(`starting nats-server 2.10 (JetStream${creds ? ', a user per role' : ', no authorization'})…`);
  const nats = await startNats({
    port: port('nats-port', 4222),
    storeDir: join(dir, 'nats'),
    name: 'oi-local',
    ...(creds ? { configFile: creds.authConfigFile } : {}),
  });
  // each process gets its own role's credentials, by file: the password never sits in an env dump
  const roleEnv = (role: Role): Record<string, string> =>
    creds ? { OI_NATS_USER: role, OI_NATS_PASS: '', OI_NATS_PASS_FILE: creds.passwordFile(role) } : {};
  say('starting PostgreSQL 15…');
  const postgres = await startPostgres({ dir: join(dir, 'pg'), port: port('pg-port', 55432) });
  await ensureDatabase(postgres.url, 'optiinfra');
  say('starting ClickHouse 26.7…');
  const clickhouse = await startClickHouse({ path: join(dir, 'clickhouse'), httpPort: port('ch-port', 8123) });

  const env: Record<string, string> = {
    ...Object.fromEntries(Object.entries(ENV_VARS).map(([k, v]) => [k, process.env[k] ?? v.default])),
    OI_NATS_URL: nats.url,
    OI_PG_URL: postgres.url.replace(/\/postgres$/, '/optiinfra'),
    OI_CLICKHOUSE_URL: clickhouse.url,
    // the whole system runs the agents; OI_HOST_ACTORS in the caller's environment still wins
    OI_HOST_ACTORS: process.env.OI_HOST_ACTORS ?? UP_HOST_ACTORS,
    // the simulator replays on the lockstep clock: the supervisor arbitrates on its ticks, or a
    // replay running ahead of the wall clock would see every proposal expire on arrival
    OI_ARBITRATION_CLOCK:
      process.env.OI_ARBITRATION_CLOCK ??
      (args.flags.has('no-sim') ? ENV_VARS.OI_ARBITRATION_CLOCK.default : 'lockstep'),
  };

  let stopping = false;
  // gpu-edge runs one per GPU node; on this machine the simulated fleet stands in for the nodes
  const perNode = new Set<string>(['edge']);
  const children: Child[] = (Object.keys(PROCESSES) as ProcessName[])
    .filter((name) => !perNode.has(name))
    .map((name) => ({ name, restarts: 0 }));
  const launch = (c: Child): void => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'serve', c.name], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...roleEnv(c.name) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    c.proc = proc;
    proc.once('exit', (code, signal) => {
      if (stopping) return;
      // a crashed process comes back, slower each time, so a broken config does not spin
      const delay = Math.min(30_000, 1_000 * 2 ** c.restarts++);
      say(`${c.name} exited (${signal ?? code}); restarting in ${delay / 1000}s`);
      setTimeout(() => !stopping && launch(c), delay).unref();
    });
  };
  // the supervisor provisions the streams everything else consumes: it goes first
  const [first, ...rest] = [...children].sort(
    (a, b) => Number(b.name === 'supervisor') - Number(a.name === 'supervisor')
  );
  launch(first!);
  say('waiting for the supervisor to provision the bus…');
  await waitForStreams(nats.url, creds ? { user: 'admin', passFile: creds.passwordFile('admin') } : undefined);
  rest.forEach(launch);
  const adminAuth = creds ? { user: 'admin', passFile: creds.passwordFile('admin') } : undefined;
  if (!args.flags.has('no-sim')) await registerFleetWorkload(nats.url, adminAuth, fleetFileOf(args), say);
  const sim = args.flags.has('no-sim') ? undefined : startSim(args, { ...env, ...roleEnv('sim') }, say);

  say('running:');
  const rows = [
    ['nats-server', nats.url, `monitor http://127.0.0.1:${nats.monitorPort}`],
    ['postgresql', redactUrl(env.OI_PG_URL!), join(dir, 'pg')],
    ['clickhouse', clickhouse.url, join(dir, 'clickhouse')],
    ...children.map((c) => [c.name, `pid ${c.proc?.pid ?? '?'}`, PROCESSES[c.name].doc]),
  ];
  for (const [a, b, c] of rows) console.log(`  ${a!.padEnd(12)} ${b!.padEnd(48)} ${c}`);
  const you = creds ? operatorOf(creds) : '';
  say(`try: OI_NATS_URL=${nats.url} ${you}npx optiinfra status   (Ctrl-C stops everything)`);
  if (creds) say(`admin (dlq redrive, nats CLI): npx optiinfra creds env admin --dir ${creds.dir}`);

  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  stopping = true;
  say('stopping processes…');
  sim?.kill('SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) => {
          if (!c.proc || c.proc.exitCode !== null || c.proc.signalCode !== null) return res();
          const t = setTimeout(() => c.proc?.kill('SIGKILL'), 10_000);
          c.proc.once('exit', () => {
            clearTimeout(t);
            res();
          });
          c.proc.kill('SIGTERM');
        })
    )
  );
  say('stopping servers (data kept in ' + dir + ')…');
  await Promise.all([nats.kill('SIGTERM'), postgres.kill('SIGINT'), clickhouse.kill('SIGTERM')]);
  say('stopped');
  return 0;
}

/** Resolves once every stream of the topology exists (the supervisor provisioned the bus). */
async function waitForStreams(url: string, auth: { user: string; passFile: string } | undefined): Promise<void> {
  const bus = await connectBus({
    servers: url,
    name: 'oi-up',
    ...(auth ? { user: auth.user, pass: (await readFile(auth.passFile, 'utf8')).trim() } : {}),
  });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const have = await Promise.all(
        Object.values(STREAMS).map((s) =>
          bus.jsm.streams.info(s).then(
            () => true,
            () => false
          )
        )
      );
      if (have.every(Boolean)) return;
      if (Date.now() > deadline) {
        throw new Error('the supervisor did not provision the bus in 120 s; see its log above');
      }
      await sleep(500);
    }
  } finally {
    await bus.drain();
  }
}

/** Credentials of every service role and of the person running `up`; regenerates the server config. */
async function prepareCredentials(dir: string): Promise<CredentialStore> {
  const store = new CredentialStore(credsDirOf(dir));
  for (const role of SERVICE_ROLES) await store.ensure(principal(role));
  await store.ensure(principal('operator', { name: localOperator() }));
  await store.writeAuthConfig();
  return store;
}

function operatorOf(store: CredentialStore): string {
  const user = principal('operator', { name: localOperator() }).user;
  return `OI_NATS_USER=${user} OI_NATS_PASS_FILE=${store.passwordFile(user)} `;
}

function fleetFileOf(args: Args): string {
  return flag(args, 'fleet') ?? join(ROOT, 'sim', 'fleet', 'examples', 'fleet.yaml');
}

/**
 * Registers the simulated fleet's workload, with the fleet's SLO, so the agents have a spec to
 * analyse against (they watch unregistered workloads without acting); one registered by an
 * earlier `up` is kept as it is.
 */
async function registerFleetWorkload(
  url: string,
  auth: { user: string; passFile: string } | undefined,
  fleetFile: string,
  say: (line: string) => void
): Promise<void> {
  const fleet = await loadFleetSpec(fleetFile);
  const bus = await connectBus({
    servers: url,
    name: 'oi-up-register',
    ...(auth ? { user: auth.user, pass: (await readFile(auth.passFile, 'utf8')).trim() } : {}),
  });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await request(
          bus.nc,
          subjects.cmd('workload', 'register'),
          registerWorkloadV1,
          {
            workload: fleet.workload,
            name: fleet.workload,
            model: fleet.replicas[0]!.model,
            engine: 'sim',
            slo: { ttft_p95_ms: fleet.slo.ttftSec * 1000, tpot_mean_ms: fleet.slo.tpotSec * 1000, attainment: 0.99 },
          },
          { source: 'optiinfra-up' }
        );
        say(`registered workload ${fleet.workload} (advisory: proposals wait for \`optiinfra approve\`)`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code === 'OI_CONFLICT')
          return say(`workload ${fleet.workload} already registered`);
        // the workload service answers once the supervisor has migrated PostgreSQL
        if (Date.now() > deadline) throw err;
        await sleep(1_000);
      }
    }
  } finally {
    await bus.drain();
  }
}

/** The simulated fleet stands in for GPU nodes here; it waits for the first host by itself. */
function startSim(args: Args, env: Record<string, string>, say: (line: string) => void): ChildProcess {
  const trace = flag(args, 'trace');
  const simArgs = [
    'sim',
    '--fleet',
    fleetFileOf(args),
    ...(trace ? ['--trace', trace] : ['--synthetic', flag(args, 'synthetic') ?? '86400']),
    '--lockstep',
  ];
  say(`simulator: optiinfra ${simArgs.join(' ')}`);
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...simArgs], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  proc.once('exit', (code) => say(`simulator finished (${code}); the rest keeps running`));
  return proc;
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}
