import { setTimeout as sleep } from 'node:timers/promises';
import { descendants, setClockSkew, type NatsServerHandle } from '../../testkit/index.js';
import { readPlacementState } from '../../supervisor/index.js';
import { STREAMS } from '../../schemas/index.js';
import type { ChaosRig, Kind, Proc } from './rig.js';

/** Every fault the chaos run injects, one row each in its table. */
export const FAULT_KINDS = [
  'host SIGKILL',
  'host SIGSTOP/SIGCONT',
  'supervisor leader SIGKILL',
  'supervisor leader SIGSTOP/SIGCONT',
  'gpu-edge SIGKILL',
  'gpu-edge SIGSTOP/SIGCONT',
  'ingest SIGKILL',
  'ingest SIGSTOP/SIGCONT',
  'engine SIGKILL',
  'engine SIGSTOP/SIGCONT',
  'NATS stream leader SIGKILL',
  'NATS follower SIGKILL',
  'PostgreSQL restart',
  'ClickHouse outage',
  'clock jump (one host)',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultTimings {
  /** How long a SIGSTOPped process stays stopped. */
  stopMs: number;
  /** How long a SIGKILLed process stays dead before its replacement starts. */
  deadMs: number;
  /** How long a killed NATS node stays down before it restarts on its data. */
  natsDownMs: number;
  clickhouseOutageMs: number;
  /** How far the skewed host's wall clock jumps ahead, and for how long before it jumps back. */
  clockJumpMs: number;
  clockHoldMs: number;
}

export interface FaultContext {
  rig: ChaosRig;
  timings: FaultTimings;
  /** The host started with testkit/clock-skew.ts, and the file its clock reads. */
  skewed: { proc: Proc; file: string };
  note: (line: string) => void;
}

export interface Injected {
  detail: string;
  /** When the fault was lifted (process continued or replaced, server back): recovery counts from here. */
  liftedAt: number;
}

const live = (rig: ChaosRig, kind: Kind): Proc[] => rig.procs.filter((p) => p.kind === kind && !p.gone && !p.stopped);

async function leader(rig: ChaosRig): Promise<Proc | undefined> {
  const s = await readPlacementState(rig.bus, rig.P, rig.ttl).catch(() => undefined);
  const pid = Number(/^sup-(\d+)-/.exec(s?.leader?.holder ?? '')?.[1]);
  return rig.procs.find((p) => p.kind === 'supervisor' && !p.gone && p.p.pid === pid);
}

function engineOf(edge: Proc): number | undefined {
  return descendants(edge.p.pid).find((d) => /engine\/serve/.test(d.cmd))?.pid;
}

async function kill(ctx: FaultContext, x: Proc, what: string): Promise<Injected> {
  // a crashed node takes its engine with it (the service manager's cgroup), so no orphan holds the port
  const orphans = x.kind === 'edge' ? descendants(x.p.pid).map((d) => d.pid) : [];
  x.p.signal('SIGKILL');
  for (const pid of orphans) signalPid(pid, 'SIGKILL');
  ctx.note(`SIGKILL ${what} ${x.id}`);
  await sleep(ctx.timings.deadMs);
  const next = ctx.rig.spawn(x.kind);
  ctx.note(`started ${next.id} to replace ${x.id}`);
  return { detail: `${what} ${x.id} → ${next.id}`, liftedAt: Date.now() };
}

async function pause(ctx: FaultContext, x: Proc, what: string): Promise<Injected> {
  x.p.signal('SIGSTOP');
  x.stopped = true;
  ctx.note(`SIGSTOP ${what} ${x.id} for ${ctx.timings.stopMs} ms`);
  await sleep(ctx.timings.stopMs);
  x.p.signal('SIGCONT');
  x.stopped = false;
  ctx.note(`SIGCONT ${x.id}`);
  return { detail: `${what} ${x.id}`, liftedAt: Date.now() };
}

async function pausePid(ctx: FaultContext, pid: number, what: string): Promise<Injected> {
  signalPid(pid, 'SIGSTOP');
  ctx.note(`SIGSTOP ${what} pid ${pid} for ${ctx.timings.stopMs} ms`);
  await sleep(ctx.timings.stopMs);
  signalPid(pid, 'SIGCONT');
  ctx.note(`SIGCONT ${what} pid ${pid}`);
  return { detail: `${what} pid ${pid}`, liftedAt: Date.now() };
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The OI_TEL stream's leader, or one of its followers, as a testkit server handle. */
async function natsNode(rig: ChaosRig, role: 'leader' | 'follower'): Promise<NatsServerHandle> {
  const info = await rig.bus.jsm.streams.info(STREAMS.tel);
  const name = role === 'leader' ? info.cluster?.leader : info.cluster?.replicas?.find((r) => r.current)?.name;
  const server = rig.cluster?.servers.find((s) => s.name === name);
  if (!server) throw new Error(`no ${role} of ${STREAMS.tel} among the cluster nodes (saw ${name ?? 'none'})`);
  return server;
}

async function natsKill(ctx: FaultContext, role: 'leader' | 'follower'): Promise<Injected> {
  const server = await natsNode(ctx.rig, role);
  await server.kill('SIGKILL');
  ctx.note(`SIGKILL NATS ${role} ${server.name}`);
  await sleep(ctx.timings.natsDownMs);
  await server.restart();
  ctx.note(`NATS ${server.name} restarted`);
  return { detail: `${role} ${server.name}`, liftedAt: Date.now() };
}

/** Injects one fault of `kind`, holds it, lifts it; throws when the rig has nothing to hit. */
export async function inject(kind: FaultKind, ctx: FaultContext): Promise<Injected> {
  const { rig } = ctx;
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`${kind}: no ${what} to hit`);
    return x;
  };
  const plainHost = (): Proc =>
    need(
      live(rig, 'host').find((h) => h !== ctx.skewed.proc),
      'live host'
    );
  switch (kind) {
    case 'host SIGKILL':
      return kill(ctx, plainHost(), 'host');
    case 'host SIGSTOP/SIGCONT':
      return pause(ctx, plainHost(), 'host');
    case 'supervisor leader SIGKILL':
      return kill(ctx, need(await leader(rig), 'supervisor leader'), 'supervisor leader');
    case 'supervisor leader SIGSTOP/SIGCONT':
      return pause(ctx, need(await leader(rig), 'supervisor leader'), 'supervisor leader');
    case 'gpu-edge SIGKILL':
      return kill(ctx, need(live(rig, 'edge')[0], 'gpu-edge'), 'gpu-edge');
    case 'gpu-edge SIGSTOP/SIGCONT':
      return pause(ctx, need(live(rig, 'edge')[0], 'gpu-edge'), 'gpu-edge');
    case 'ingest SIGKILL':
      return kill(ctx, need(live(rig, 'ingest')[0], 'ingest'), 'ingest');
    case 'ingest SIGSTOP/SIGCONT':
      return pause(ctx, need(live(rig, 'ingest')[0], 'ingest'), 'ingest');
    case 'engine SIGKILL': {
      const pid = need(engineOf(need(live(rig, 'edge')[0], 'gpu-edge')), 'engine process');
      signalPid(pid, 'SIGKILL');
      ctx.note(`SIGKILL engine pid ${pid}`);
      return { detail: `engine pid ${pid}`, liftedAt: Date.now() };
    }
    case 'engine SIGSTOP/SIGCONT':
      return pausePid(ctx, need(engineOf(need(live(rig, 'edge')[0], 'gpu-edge')), 'engine process'), 'engine');
    case 'NATS stream leader SIGKILL':
      return natsKill(ctx, 'leader');
    case 'NATS follower SIGKILL':
      return natsKill(ctx, 'follower');
    case 'PostgreSQL restart': {
      const pg = need(rig.pgServer, 'private PostgreSQL');
      await pg.restart();
      ctx.note('PostgreSQL restarted');
      return { detail: `pid ${pg.pid}`, liftedAt: Date.now() };
    }
    case 'ClickHouse outage': {
      const ch = need(rig.chServer, 'private ClickHouse');
      await ch.kill('SIGKILL');
      ctx.note(`ClickHouse down for ${ctx.timings.clickhouseOutageMs} ms`);
      await sleep(ctx.timings.clickhouseOutageMs);
      await ch.restart();
      ctx.note('ClickHouse back');
      return { detail: `${ctx.timings.clickhouseOutageMs} ms`, liftedAt: Date.now() };
    }
    case 'clock jump (one host)': {
      const { proc, file } = ctx.skewed;
      setClockSkew(file, ctx.timings.clockJumpMs);
      ctx.note(`clock of ${proc.id} jumps +${ctx.timings.clockJumpMs} ms`);
      await sleep(ctx.timings.clockHoldMs);
      setClockSkew(file, 0);
      ctx.note(`clock of ${proc.id} jumps back`);
      return {
        detail: `${proc.id} +${ctx.timings.clockJumpMs} ms for ${ctx.timings.clockHoldMs} ms`,
        liftedAt: Date.now(),
      };
    }
  }
}
