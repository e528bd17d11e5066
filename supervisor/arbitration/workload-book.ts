import { KvWatchInclude, type KV } from '@nats-io/kv';
import { z } from 'zod';
import {
  KV_BUCKETS,
  decodeEnvelope,
  describeIssues,
  issuesOf,
  operatingMode,
  resourceKind,
  timestamp,
  workloadRecordV1,
  workloadRegisteredV1,
  workloadUpdatedV1,
  type WorkloadRecord,
} from '../../schemas/index.js';
import type { Bus } from '../../bus/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import type { Postgres } from '../../stores/index.js';
import type { Arbiter, OperatingMode, WorkloadContext } from '../priority/index.js';
import { findWorkload, listWorkloads } from '../workloads/workload-repo.js';

/**
 * What the registry does not hold, per workload, in KV `oi_config` under `workload.<id>`
 * (DESIGN.md "KV buckets"): an operator's mode, serving replicas and spend, SLO attainment
 * and pins. Written by set-mode and by whatever measures capacity; versioned.
 */
export const workloadOverlaySpec = z.object({
  v: z.literal(1),
  mode: operatingMode.optional(),
  replicas: z.number().int().min(0).optional(),
  usd_per_month: z.number().min(0).optional(),
  slo_attainment: z.number().min(0).max(1).optional(),
  pins: z.array(z.object({ resource: resourceKind, by: z.string().min(1), until: timestamp.optional() })).optional(),
  set_by: z.string().optional(),
});
export type WorkloadOverlay = z.infer<typeof workloadOverlaySpec>;

export const overlayKey = (workload: string): string => `workload.${workload}`;

/** Capacity assumed until something writes the overlay: one replica, no known spend. */
const DEFAULT_REPLICAS = 1;

/**
 * The arbiter's view of workloads: the registry (PostgreSQL, refreshed by workload events)
 * overlaid with `oi_config`. Every change is pushed into the arbiter at once.
 */
export class WorkloadBook {
  readonly #records = new Map<string, WorkloadRecord>();
  readonly #overlays = new Map<string, WorkloadOverlay>();
  readonly #logger: Logger;
  #stops: (() => Promise<void>)[] = [];

  private constructor(
    private readonly arbiter: Arbiter,
    private readonly kv: KV,
    private readonly db: Postgres,
    logger: Logger
  ) {
    this.#logger = logger;
  }

  static async open(opts: { arbiter: Arbiter; bus: Bus; db: Postgres; logger?: Logger }): Promise<WorkloadBook> {
    const kv = await opts.bus.kvm.open(KV_BUCKETS.config);
    const book = new WorkloadBook(opts.arbiter, kv, opts.db, opts.logger ?? silentLogger);
    await book.#start(opts.bus);
    return book;
  }

  get size(): number {
    return this.#records.size;
  }

  mode(workload: string): OperatingMode | undefined {
    return this.#context(workload)?.mode;
  }

  /** Makes sure the registry record is known (read from PostgreSQL if not); undefined if unregistered. */
  async ensure(workload: string): Promise<WorkloadRecord | undefined> {
    const known = this.#records.get(workload);
    if (known) return known;
    const rec = await findWorkload(this.db, workload);
    if (rec) this.#putRecord(rec);
    return rec;
  }

  /** Sets the operating mode in `oi_config` (compare-and-swap); returns the mode it replaced. */
  async setMode(workload: string, mode: OperatingMode, by: string): Promise<OperatingMode> {
    const key = overlayKey(workload);
    for (let attempt = 0; attempt < 10; attempt++) {
      const previous = this.mode(workload) ?? 'advisory';
      const cur = await this.kv.get(key);
      const live = cur && cur.operation === 'PUT' ? cur : undefined;
      const base = live ? parseOverlay(live.string(), key) : { v: 1 as const };
      const next = JSON.stringify({ ...base, mode, set_by: by });
      try {
        if (live) await this.kv.update(key, next, live.revision);
        else await this.kv.create(key, next);
      } catch (err) {
        if (/wrong last sequence|key exists/i.test((err as Error).message)) continue;
        throw err;
      }
      this.#putOverlay(workload, { ...base, mode, set_by: by });
      return previous;
    }
    throw new Error(`oi_config ${key}: too many concurrent writers`);
  }

  async stop(): Promise<void> {
    for (const s of this.#stops) await s();
    this.#stops = [];
  }

  async #start(bus: Bus): Promise<void> {
    const watch = await this.kv.watch({ key: 'workload.>', include: KvWatchInclude.UpdatesOnly });
    const watching = (async () => {
      for await (const e of watch) {
        const workload = e.key.slice('workload.'.length);
        if (e.operation !== 'PUT') this.#putOverlay(workload, undefined);
        else this.#tryOverlay(workload, e.string(), e.key);
      }
    })();
    this.#stops.push(async () => {
      watch.stop();
      await watching;
    });
    const sub = bus.nc.subscribe('oi.v1.evt.workload.*.*', {
      callback: (err, m) => {
        if (err) return;
        const d = decodeEnvelope(m.data, [workloadRegisteredV1, workloadUpdatedV1]);
        if (d.ok) this.#putRecord(workloadRecordV1.data.parse(d.envelope.data));
      },
    });
    this.#stops.push(() => Promise.resolve(sub.unsubscribe()));

    let after: string | undefined;
    for (;;) {
      const page = await listWorkloads(this.db, { limit: 1000, ...(after ? { after } : {}) });
      for (const r of page.items) this.#putRecord(r);
      if (!page.next) break;
      after = page.next;
    }
    for (const key of await collect(await this.kv.keys('workload.>'))) {
      const e = await this.kv.get(key);
      if (e?.operation === 'PUT') this.#tryOverlay(key.slice('workload.'.length), e.string(), key);
    }
  }

  #tryOverlay(workload: string, raw: string, key: string): void {
    try {
      this.#putOverlay(workload, parseOverlay(raw, key));
    } catch (err) {
      this.#logger.warn({ err, key }, 'oi_config entry ignored');
    }
  }

  #putRecord(r: WorkloadRecord): void {
    this.#records.set(r.workload, r);
    this.#push(r.workload);
  }

  #putOverlay(workload: string, o: WorkloadOverlay | undefined): void {
    if (o) this.#overlays.set(workload, o);
    else this.#overlays.delete(workload);
    this.#push(workload);
  }

  #context(workload: string): WorkloadContext | undefined {
    const r = this.#records.get(workload);
    if (!r) return undefined;
    const o = this.#overlays.get(workload);
    return {
      workload,
      mode: o?.mode ?? r.mode,
      replicas: o?.replicas ?? DEFAULT_REPLICAS,
      usdPerMonth: o?.usd_per_month ?? 0,
      ...(o?.slo_attainment !== undefined ? { sloAttainment: o.slo_attainment } : {}),
      constraints: r.constraints,
      ...(o?.pins
        ? {
            pins: o.pins.map((p) => ({
              resource: p.resource,
              by: p.by,
              ...(p.until ? { untilMs: Date.parse(p.until) } : {}),
            })),
          }
        : {}),
    };
  }

  #push(workload: string): void {
    const ctx = this.#context(workload);
    if (ctx) this.arbiter.setWorkload(ctx);
  }
}

function parseOverlay(raw: string, key: string): WorkloadOverlay {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`oi_config ${key}: not JSON`);
  }
  const r = workloadOverlaySpec.safeParse(json);
  if (!r.success) throw new Error(`oi_config ${key}: ${describeIssues(issuesOf(r.error))}`);
  return r.data;
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}
