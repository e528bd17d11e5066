import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLOCK_SKEW_ENV,
  CLOCK_SKEW_PRELOAD,
  check,
  freePort,
  sharedClickHouse,
  sharedPostgres,
  startClickHouse,
  startNats,
  startNatsCluster,
  startOiProcess,
  startPostgres,
  startTsProcess,
  type ClickHouseHandle,
  type NatsClusterHandle,
  type NatsServerHandle,
  type OiProcess,
  type PostgresHandle,
  type TestDatabase,
} from '../../testkit/index.js';
import { connectBus, telConsumerName, type Bus } from '../../bus/index.js';
import { STREAMS } from '../../schemas/index.js';
import { readPlacementState } from '../../supervisor/index.js';
import type { StoreRef } from './load-input.js';

export type Kind = 'host' | 'supervisor' | 'ingest' | 'edge';
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
  /**
   * Every process kind on faultable servers: a 3-node NATS cluster (streams R3), a private
   * PostgreSQL and ClickHouse (restarted by the run), ingest and a gpu-edge with its engine.
   * Off: one nats-server and the worker's shared databases, hosts and supervisors only.
   */
  full?: boolean;
}

/** The gpu-edge of the full rig: its node, workload and the fencing partition of that workload. */
export const EDGE_NODE = 'chaos-edge';
export const EDGE_WORKLOAD = 'wl-edge';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

/**
 * Real servers, real supervisor, host, ingest and edge processes, and the observers whose logs
 * the checker reads (lease watcher, fenced receiver, event watcher, publisher). Shared by the
 * chaos run and the stalled-host test.
 */
export class ChaosRig implements AsyncDisposable {
  readonly procs: Proc[] = [];
  readonly tools: OiProcess[] = [];
  readonly dir: string;
  readonly P: number;
  readonly ttl: number;
  readonly full: boolean;
  #serial = 0;
  #env: Record<string, string> = {};
  nats?: NatsServerHandle;
  cluster?: NatsClusterHandle;
  natsUrls: string[] = [];
  pgServer?: PostgresHandle;
  chServer?: ClickHouseHandle;
  ch?: StoreRef;
  bus!: Bus;
  #dbs: TestDatabase[] = [];
  readonly #say: (line: string) => void;

  constructor(o: RigOptions) {
    this.P = o.partitions;
    this.ttl = o.leaseTtlMs;
    this.full = o.full ?? false;
    this.dir = o.dir ?? mkdtempSync(join(tmpdir(), 'oi-chaos-'));
    this.#say = o.say ?? ((): void => undefined);
  }

  /** Servers, a first supervisor (which provisions the bus), then the lease watcher and receiver. */
  async start(): Promise<void> {
    if (this.full) {
      const [cluster, pgServer, chServer] = await Promise.all([startNatsCluster(), startPostgres(), startClickHouse()]);
      Object.assign(this, { cluster, pgServer, chServer });
      this.natsUrls = cluster.urls;
    } else {
      this.nats = await startNats();
      this.natsUrls = [this.nats.url];
    }
    const pgSrv = this.pgServer ?? (await sharedPostgres());
    const chSrv = this.chServer ?? (await sharedClickHouse());
    const pg = await pgSrv.createDatabase('chaos');
    const chDb = await chSrv.createDatabase('chaos');
    this.#dbs.push(pg, chDb);
    this.ch = { url: chSrv.url, db: chDb.name };
    const url = this.natsUrls.join(',');
    this.#env = {
      OI_NATS_URL: url,
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: chSrv.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: String(this.P),
      OI_LEASE_TTL_MS: String(this.ttl),
      OI_ACK_WAIT_MS: String(Math.max(1_000, 4 * this.ttl)),
      OI_HOST_ACTORS: 'probe',
      OI_LOG_LEVEL: 'info',
      ...(this.full
        ? {
            OI_STREAM_REPLICAS: '3',
            OI_ARBITRATION_WINDOW_MS: '500',
            OI_ARBITRATION_TICK_MS: '250',
            OI_APPROVAL_TTL_MS: '3000',
            OI_LOCK_TTL_MS: '2000',
            OI_INGEST_BATCH_MS: '250',
            OI_EDGE_NODE: EDGE_NODE,
            OI_EDGE_WORKLOAD: EDGE_WORKLOAD,
            OI_EDGE_ENGINE: 'sim',
            OI_EDGE_ENGINE_PORT: String(await freePort()),
            OI_EDGE_ENGINE_ARGS: '--max-model-len 4096',
            OI_EDGE_STATE_DIR: join(this.dir, 'edge-state'),
            OI_EDGE_TELEMETRY_MS: '1000',
            OI_EDGE_SIM_SPEED: '20',
            OI_EDGE_HEALTH_TIMEOUT_MS: '60000',
            OI_EDGE_VERIFY_MS: '1000',
          }
        : {}),
    };
    if (this.full) mkdirSync(join(this.dir, 'edge-state'), { recursive: true });
    this.bus = await connectBus({ servers: url, name: 'chaos-driver' });
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
        this.bus.jsm.streams
          .info('KV_oi_leases')
          .then(() => true)
          .catch(() => undefined),
      30_000,
      { name: 'lease bucket provisioned' }
    );
    const observers = [this.tool('lease-watch', []), this.tool('receiver', [])];
    if (this.full) observers.push(this.tool('event-watch', []));
    await Promise.all(observers.map((t) => this.ready(t)));
  }

  /** A new process of `kind`; `skewFile` preloads testkit/clock-skew.ts reading that file. */
  spawn(kind: Kind, opts: { skewFile?: string } = {}): Proc {
    const id = `${kind[0]}${++this.#serial}`;
    // ingest renews a lease per consumer (P + 3) through R3 KV writes: a longer TTL keeps it from
    // thrashing on two busy cores; its exactly-once does not depend on the TTL
    const ingestTtl = 3 * this.ttl;
    const own: Record<string, string> =
      kind === 'host'
        ? { OI_HOST_ID: id }
        : kind === 'ingest'
          ? { OI_INGEST_ID: id, OI_LEASE_TTL_MS: String(ingestTtl), OI_ACK_WAIT_MS: String(4 * ingestTtl) }
          : {};
    if (opts.skewFile) own[CLOCK_SKEW_ENV] = opts.skewFile;
    const p = startOiProcess(
      kind,
      { ...this.#env, ...own },
      opts.skewFile ? { nodeArgs: ['--import', CLOCK_SKEW_PRELOAD] } : {}
    );
    const proc: Proc = { kind, id, p, stopped: false, gone: false };
    void p.exited.then(() => (proc.gone = true));
    this.procs.push(proc);
    return proc;
  }

  tool(name: string, args: string[]): OiProcess {
    const t = startTsProcess(
      name,
      here(`./${name}.ts`),
      ['--dir', this.dir, '--nats', this.natsUrls.join(','), ...args],
      {}
    );
    this.tools.push(t);
    return t;
  }

  ready(p: OiProcess, pattern: string | RegExp = 'ready'): Promise<true> {
    const seen = (): boolean => (typeof pattern === 'string' ? p.getLog().includes(pattern) : pattern.test(p.getLog()));
    return check(() => seen() || undefined, 90_000, { name: `${p.name} ready` }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${p.getLog().slice(-2_000)}`);
    });
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

  /**
   * Waits until every partition consumer is empty and the receiver read all of OI_REC; in the
   * full rig also until `more()` says the rest arrived (ClickHouse, action results, outcomes).
   */
  async drained(timeoutMs: number, more?: () => Promise<boolean>): Promise<boolean> {
    const done = async (): Promise<boolean> => {
      for (let p = 0; p < this.P; p++) {
        const c = await this.bus.jsm.consumers.info(STREAMS.tel, telConsumerName(p));
        if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
      }
      const last = (await this.bus.jsm.streams.info(STREAMS.rec)).state.last_seq;
      const seen = Number((await this.bus.nc.request('chaos.receiver.seq', '', { timeout: 1_000 })).string());
      return seen >= last && (!more || (await more()));
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
    const chArgs = this.full && this.ch ? ['--clickhouse', this.ch.url, '--db', this.ch.db] : [];
    const checker = startTsProcess('checker', here('./checker.ts'), ['--dir', this.dir, ...chArgs], {});
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
    await this.cluster?.stop();
    await this.pgServer?.stop();
    await this.chServer?.stop();
  }
}
