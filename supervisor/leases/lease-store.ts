import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import type { Bus } from '../../bus/index.js';
import { KV_BUCKETS } from '../../schemas/index.js';
import {
  assertLeaseKey,
  decodeLease,
  encodeLease,
  isLive,
  type Lease,
  type LeaseValue,
  type StoredLease,
} from './lease-value.js';

export interface LeaseStoreOptions {
  /**
   * Extra wait past a foreign deadline before taking over: covers clock skew between hosts,
   * since deadlines are wall-clock values written by the holder. Default 0.
   */
  skewMs?: number;
}

/** True for a CAS refusal: the key moved since the revision we read. */
export function isCasConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function assertTtl(ttlMs: number): void {
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new Error(`ttlMs must be a positive number, got ${ttlMs}`);
}

/**
 * Leases with deadlines, epochs and fencing over a KV bucket (DESIGN.md "Actors and
 * placement"). Every write is a CAS on the revision read, so of several racing writers
 * exactly one wins; the epoch grows by one at every acquisition, never on renewal.
 */
export class LeaseStore {
  readonly #stream: string;
  readonly #subjectPrefix: string;
  readonly #skewMs: number;

  constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    readonly bucket: string = KV_BUCKETS.leases,
    opts: LeaseStoreOptions = {}
  ) {
    this.#stream = `KV_${bucket}`;
    this.#subjectPrefix = `$KV.${bucket}.`;
    this.#skewMs = opts.skewMs ?? 0;
  }

  /** Binds to the (already provisioned) bucket; `kvm.open` does not create it. */
  static async open(
    bus: Pick<Bus, 'kvm' | 'jsm'>,
    bucket: string = KV_BUCKETS.leases,
    opts: LeaseStoreOptions = {}
  ): Promise<LeaseStore> {
    return new LeaseStore(await bus.kvm.open(bucket), bus.jsm, bucket, opts);
  }

  /**
   * Takes the lease if it is absent, released or past its deadline (epoch + 1), or renews it
   * if `holder` already holds it (same epoch). Undefined when someone else holds it or wins
   * the race.
   */
  async acquire(key: string, holder: string, ttlMs: number, now: number = Date.now()): Promise<Lease | undefined> {
    assertLeaseKey(key);
    assertTtl(ttlMs);
    if (holder === '') throw new Error('holder must be a non-empty host id');
    const cur = await this.readStrict(key);
    if (!cur) {
      const value: LeaseValue = { v: 1, holder, epoch: 1, deadline: now + ttlMs, acquiredAt: now, renewedAt: now };
      return this.#write(key, value, 0);
    }
    if (cur.holder === holder && isLive(cur, now)) {
      return this.#write(key, { ...cur, v: 1, deadline: now + ttlMs, renewedAt: now }, cur.revision);
    }
    const free = cur.holder === '' || now >= cur.deadline + this.#skewMs;
    if (!free) return undefined;
    const value: LeaseValue = {
      v: 1,
      holder,
      epoch: cur.epoch + 1,
      deadline: now + ttlMs,
      acquiredAt: now,
      renewedAt: now,
    };
    return this.#write(key, value, cur.revision);
  }

  /**
   * Extends a held lease. Undefined means lost: its deadline passed (a dead lease is dead
   * for its holder too), or the key moved since `lease.revision`.
   */
  async renew(lease: Lease, ttlMs: number, now: number = Date.now()): Promise<Lease | undefined> {
    assertTtl(ttlMs);
    if (now >= lease.deadline) return undefined;
    const value: LeaseValue = {
      v: 1,
      holder: lease.holder,
      epoch: lease.epoch,
      deadline: now + ttlMs,
      acquiredAt: lease.acquiredAt,
      renewedAt: now,
    };
    return this.#write(lease.key, value, lease.revision);
  }

  /** Hands the lease back at once, keeping its epoch; false if it had already moved on. */
  async release(lease: Lease, now: number = Date.now()): Promise<boolean> {
    const value: LeaseValue = {
      v: 1,
      holder: '',
      epoch: lease.epoch,
      deadline: 0,
      acquiredAt: lease.acquiredAt,
      renewedAt: now,
    };
    return (await this.#write(lease.key, value, lease.revision)) !== undefined;
  }

  /** Reads through the KV client (which may use direct get on a replica): for display. */
  async read(key: string): Promise<StoredLease | undefined> {
    assertLeaseKey(key);
    return this.#fromEntry(key, await this.kv.get(key));
  }

  /**
   * Reads from the stream leader (`STREAM.MSG.GET`), never a direct-get replica that may
   * lag: the read behind every fencing decision.
   */
  async readStrict(key: string): Promise<StoredLease | undefined> {
    assertLeaseKey(key);
    const sm = await this.jsm.streams.getMessage(this.#stream, { last_by_subj: this.#subjectPrefix + key });
    if (!sm) return undefined;
    const op = sm.header.get('KV-Operation');
    if (op === 'DEL' || op === 'PURGE' || sm.data.length === 0) return undefined;
    return { ...decodeLease(key, sm.data), revision: sm.seq };
  }

  /** Every lease under a key prefix such as `part.` or `singleton.`; '' reads all. */
  async readAll(prefix = ''): Promise<Map<string, StoredLease>> {
    if (prefix !== '' && !prefix.endsWith('.')) throw new Error(`prefix must end with '.', got '${prefix}'`);
    const unique = new Set<string>();
    for await (const k of await this.kv.keys(`${prefix}>`)) unique.add(k);
    const keys = [...unique].sort();
    const values = await Promise.all(keys.map(async (k) => [k, await this.read(k)] as const));
    const out = new Map<string, StoredLease>();
    for (const [k, v] of values) if (v) out.set(k, v);
    return out;
  }

  #fromEntry(key: string, e: KvEntry | null): StoredLease | undefined {
    if (!e || e.operation !== 'PUT') return undefined;
    return { ...decodeLease(key, e.value), revision: e.revision };
  }

  async #write(key: string, value: LeaseValue, revision: number): Promise<Lease | undefined> {
    const bytes = encodeLease(value);
    let seq: number;
    try {
      seq = revision === 0 ? await this.kv.create(key, bytes) : await this.kv.update(key, bytes, revision);
    } catch (err) {
      if (isCasConflict(err)) return undefined;
      throw err;
    }
    return {
      key,
      holder: value.holder,
      epoch: value.epoch,
      deadline: value.deadline,
      acquiredAt: value.acquiredAt,
      revision: seq,
    };
  }
}
