import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  startTsProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../testkit/index.js';
import { connectBus, telConsumerName, type Bus } from '../../bus/index.js';
import { STREAMS } from '../../schemas/index.js';
import { readPlacementState } from '../../supervisor/index.js';

export type Kind = 'host' | 'supervisor';
export interface Proc {
  kind: Kind;
  id: string;
  p: OiProcess;
  stopped: boolean;
  gone: boolean;
}

export interface RigOptions {
  partitions: number;
  leaseTtlMs: number;
  dir?: string;
  say?: (line: string) => void;
}

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

/**
 * Real servers, real supervisor and host processes, and the three observers whose logs the
 * checker reads (lease watcher, fenced receiver, publisher). Shared by the chaos run and the
 * stalled-host test.
 */
export class ChaosRig implements AsyncDisposable {
  readonly procs: Proc[] = [];
  readonly tools: OiProcess[] = [];
  readonly dir: string;
  readonly P: number;
  readonly ttl: number;
  #serial = 0;
  #env: Record<string, string> = {};
  nats!: NatsServerHandle;
  bus!: Bus;
  #dbs: TestDatabase[] = [];
  readonly #say: (line: string) => void;

  constructor(o: RigOptions) {
    this.P = o.partitions;
    this.ttl = o.leaseTtlMs;
    this.dir = o.dir ?? mkdtempSync(join(tmpdir(), 'oi-chaos-'));
    this.#say = o.say ?? ((): void => undefined);
  }

  /** Servers, a first supervisor (which provisions the bus), then the lease watcher and receiver. */
  async start(): Promise<void> {
    this.nats = await startNats();
    const pg = await (await sharedPostgres()).createDatabase('chaos');
    const ch = await sharedClickHouse();
    const chDb = await ch.createDatabase('chaos');
    this.#dbs.push(pg, chDb);
    this.#env = {
      OI_NATS_URL: this.nats.url,
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: ch.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: String(this.P),
      OI_LEASE_TTL_MS: String(this.ttl),
      OI_ACK_WAIT_MS: String(Math.max(1_000, 4 * this.ttl)),
      OI_HOST_ACTORS: 'probe',
      OI_LOG_LEVEL: 'info',
    };
    this.bus = await connectBus({ servers: this.nats.url, name: 'chaos-driver' });
    const first = this.spawn('supervisor');
    await check(
      () =>
        this.bus.jsm.streams
          .info(STREAMS.rec)
          .then(() => true)
          .catch(() => undefined),
      60_000,
      {
        name: 'supervisor provisioned the bus',
      }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${first.p.getLog().slice(-2_000)}`);
    });
    await check(
      () =>
        this.bus.kvm
          .open('oi_leases')
          .then(() => true)
          .catch(() => undefined),
      10_000
    );
    const observers = [this.tool('lease-watch', []), this.tool('receiver', [])];
    await Promise.all(observers.map((t) => this.ready(t)));
  }

  spawn(kind: Kind): Proc {
    const id = `${kind === 'host' ? 'h' : 's'}${++this.#serial}`;
    const p = startOiProcess(kind, kind === 'host' ? { ...this.#env, OI_HOST_ID: id } : this.#env);
    const proc: Proc = { kind, id, p, stopped: false, gone: false };
    void p.exited.then(() => (proc.gone = true));
    this.procs.push(proc);
    return proc;
  }

  tool(name: string, args: string[]): OiProcess {
    const t = startTsProcess(name, here(`./${name}.ts`), ['--dir', this.dir, '--nats', this.nats.url, ...args], {});
    this.tools.push(t);
    return t;
  }

  ready(p: OiProcess): Promise<true> {
    return check(() => p.getLog().includes('ready') || undefined, 60_000, { name: `${p.name} ready` }).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}\n${p.getLog().slice(-2_000)}`);
      }
    );
  }

  async startPublisher(rate: number, workloads: number): Promise<OiProcess> {
    const p = this.tool('publisher', ['--rate', String(rate), '--workloads', String(workloads)]);
    await this.ready(p);
    return p;
  }

  /** Every partition held live by one of `hosts` live hosts. */
  settled(hosts: number, timeoutMs = 60_000): Promise<true> {
    return check(
      async () => {
        const s = await readPlacementState(this.bus, this.P, this.ttl);
        return (s.leases.filter((l) => l.live).length === this.P && s.hosts.length === hosts) || undefined;
      },
      timeoutMs,
      { name: `${hosts} hosts holding all ${this.P} partitions` }
    );
  }

  /** Waits until every partition consumer is empty and the receiver read all of OI_REC. */
  async drained(timeoutMs: number): Promise<boolean> {
    const done = async (): Promise<boolean> => {
      for (let p = 0; p < this.P; p++) {
        const c = await this.bus.jsm.consumers.info(STREAMS.tel, telConsumerName(p));
        if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
      }
      const last = (await this.bus.jsm.streams.info(STREAMS.rec)).state.last_seq;
      const seen = Number((await this.bus.nc.request('chaos.receiver.seq', '', { timeout: 1_000 })).string());
      return seen >= last;
    };
    try {
      await check(
        () =>
          done()
            .then((d) => d || undefined)
            .catch(() => undefined),
        timeoutMs,
        {
          name: 'all telemetry processed and all effects received',
        }
      );
      return true;
    } catch (err) {
      this.#say(`${(err as Error).message}; the checker will say what is missing`);
      const state = await readPlacementState(this.bus, this.P, this.ttl).catch((e: unknown) => String(e));
      writeFileSync(join(this.dir, 'placement.json'), JSON.stringify(state, null, 2));
      return false;
    }
  }

  /** Stops every process (logs kept in the dir), then runs the independent checker on the logs. */
  async finish(): Promise<{ code: number | null; output: string }> {
    await this.stopAll();
    const checker = startTsProcess('checker', here('./checker.ts'), ['--dir', this.dir], {});
    const code = await checker.exited;
    return { code, output: checker.getLog() };
  }

  async stopAll(): Promise<void> {
    for (const x of this.procs) if (x.stopped) x.p.signal('SIGCONT');
    await Promise.all(this.procs.filter((x) => !x.gone).map((x) => x.p.stop(5_000)));
    await Promise.all(this.tools.map((t) => t.stop(5_000)));
    for (const x of this.procs) writeFileSync(join(this.dir, `${x.id}.log`), x.p.getLog());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopAll();
    await this.bus?.drain().catch(() => undefined);
    for (const db of this.#dbs) await db.drop().catch(() => undefined);
    await this.nats?.stop();
  }
}
