import { setTimeout as sleep } from 'node:timers/promises';
import { readPlacementState } from '../../supervisor/index.js';
import { createRng } from '../../sim/index.js';
import { ChaosRig, type Kind, type Proc } from './rig.js';

export interface ChaosOptions {
  seconds: number;
  seed: number;
  hosts?: number;
  supervisors?: number;
  partitions?: number;
  leaseTtlMs?: number;
  /** Telemetry messages per second from the publisher. */
  rate?: number;
  workloads?: number;
  /** Where the logs go; a temp dir by default (kept, so a failure can be read). */
  dir?: string;
  progress?: (line: string) => void;
}

export interface ChaosResult {
  dir: string;
  actions: string[];
  checkerExit: number | null;
  checkerOutput: string;
}

/**
 * One chaos run: real supervisor and host processes under random SIGKILL, SIGSTOP/SIGCONT,
 * SIGTERM and restarts while a publisher sends steady telemetry; then the independent
 * checker judges the logs. The seed picks the schedule.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.progress ?? ((): void => undefined);
  const ttl = o.leaseTtlMs ?? 2_000;
  const P = o.partitions ?? 16;
  const hosts = o.hosts ?? 3;
  const rng = createRng(o.seed);
  const actions: string[] = [];
  const t0 = Date.now();
  const note = (s: string): void => {
    const line = `+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`;
    actions.push(line);
    say(line);
  };

  await using rig = new ChaosRig({ partitions: P, leaseTtlMs: ttl, say, ...(o.dir ? { dir: o.dir } : {}) });
  say(
    `chaos: logs in ${rig.dir}; ${hosts} hosts, ${o.supervisors ?? 2} supervisors, P=${P}, ttl ${ttl} ms, seed ${o.seed}`
  );
  await rig.start();
  for (let i = 1; i < (o.supervisors ?? 2); i++) rig.spawn('supervisor');
  for (let i = 0; i < hosts; i++) rig.spawn('host');
  await rig.settled(hosts);
  const publisher = await rig.startPublisher(o.rate ?? 100, o.workloads ?? 24);
  say('chaos: traffic flowing; chaos starts');

  const pending: Promise<void>[] = [];
  const later = (ms: number, fn: () => void): void => void pending.push(sleep(ms).then(fn));
  const live = (kind: Kind): Proc[] => rig.procs.filter((p) => p.kind === kind && !p.gone && !p.stopped);
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[rng.int(0, xs.length - 1)] : undefined);
  const leader = async (): Promise<Proc | undefined> => {
    const s = await readPlacementState(rig.bus, P, ttl).catch(() => undefined);
    const pid = Number(/^sup-(\d+)-/.exec(s?.leader?.holder ?? '')?.[1]);
    return rig.procs.find((p) => p.kind === 'supervisor' && !p.gone && p.p.pid === pid);
  };
  const pause = (x: Proc, ms: number): void => {
    x.p.signal('SIGSTOP');
    x.stopped = true;
    note(`SIGSTOP ${x.id} for ${ms} ms`);
    later(ms, () => {
      x.p.signal('SIGCONT');
      x.stopped = false;
      note(`SIGCONT ${x.id}`);
    });
  };
  const replace = (kind: Kind, old: Proc, delayMs: number): void =>
    later(delayMs, () => note(`started ${rig.spawn(kind).id} to replace ${old.id}`));

  const end = Date.now() + o.seconds * 1_000;
  let lastReport = Date.now();
  while (Date.now() < end) {
    await sleep(Math.round(ttl * (0.6 + rng.next() * 1.2)));
    const roll = rng.next();
    const host = live('host').length > 1 ? pick(live('host')) : undefined;
    if (roll < 0.3 && host) {
      host.p.signal('SIGKILL');
      note(`SIGKILL ${host.id}`);
      replace('host', host, Math.round(rng.next() * 2 * ttl));
    } else if (roll < 0.6 && host) {
      pause(host, Math.round(ttl * (0.5 + rng.next() * 2.5)));
    } else if (roll < 0.72 && host) {
      note(`SIGTERM ${host.id} (graceful leave)`);
      void host.p.stop(10_000);
      replace('host', host, 0);
    } else if (roll < 0.88) {
      const x = await leader();
      if (x) {
        x.p.signal('SIGKILL');
        note(`SIGKILL supervisor leader ${x.id}`);
        replace('supervisor', x, Math.round(rng.next() * 2 * ttl));
      }
    } else {
      const x = await leader();
      if (x && !x.stopped) pause(x, Math.round(ttl * (1 + rng.next() * 2)));
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      say(`chaos: ${Math.round((end - Date.now()) / 1000)} s left, ${actions.length} actions so far`);
    }
  }
  await Promise.all(pending);
  note('chaos over; stopping the publisher and waiting for every message to be processed');
  await publisher.stop(15_000);
  say(`chaos: publisher ${/acked \d+ failed \d+/.exec(publisher.getLog())?.[0] ?? 'exited'}`);
  await rig.drained(90_000);
  const checked = await rig.finish();
  say(checked.output.trim());
  return { dir: rig.dir, actions, checkerExit: checked.code, checkerOutput: checked.output };
}
