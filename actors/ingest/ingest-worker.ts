import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { appTelemetryT3V1, decodeEnvelope, type AppTelemetryT3, type FieldIssue } from '../../schemas/index.js';
import {
  deadLetter,
  eraseStreamMessage,
  isSensitiveSubject,
  refusedForEveryReader,
  type Bus,
} from '../../bus/index.js';
import type { LeaseKeeper, LeaseStore } from '../../supervisor/index.js';
import type { ClickHouse } from '../../stores/index.js';
import type { Logger } from '../../config/index.js';
import { planBatch, type PlannedMessage, type TableInsert } from './batch-plan.js';
import { insertBlock, readWatermarks } from './clickhouse-sink.js';
import type { IngestSource, IngestTable } from './ingest-sources.js';
import { readLag, type LagSample } from './lag.js';
import { INGEST_ACCEPTS, toRow } from './rows.js';

export interface IngestWorkerOptions {
  bus: Bus;
  ch: ClickHouse;
  source: IngestSource;
  epoch: number;
  holder: string;
  keeper: LeaseKeeper;
  leases: LeaseStore;
  /** A batch is inserted when it holds this many messages … */
  batchSize: number;
  /** … or when its oldest message has waited this long. */
  batchMs: number;
  logger: Logger;
  /** Longest wait between insert retries. */
  retryMaxMs?: number;
  /** Where tier-3 content samples go (encrypted at rest); without one they are stored nowhere by ingest. */
  contentStore?: ContentStore | undefined;
  onLost: (reason: string) => void;
}

/** The tier-3 content vault as ingest uses it (actors/application ContentVault); idempotent per envelope. */
export interface ContentStore {
  storeSamples(envelopeId: string, ts: string, data: AppTelemetryT3): Promise<string[]>;
}

interface Invalid {
  m: JsMsg;
  reason: string;
  issues: FieldIssue[];
  schema?: string;
  sensitive: boolean;
  /** Erase the original from the stream once dead-lettered (sensitive, refused for its bytes). */
  erase: boolean;
}

export interface IngestWorkerStats {
  received: number;
  rows: number;
  duplicates: number;
  skipped: number;
  deadLettered: number;
  batches: number;
  retries: number;
  lastError?: string;
}

type LeaseCheck = 'ours' | 'lost' | 'unknown';

/**
 * Moves one ingest consumer into ClickHouse while this process holds its lease. Per batch:
 * map to rows, drop what ClickHouse already has (per-table watermark), insert each table's
 * block until ClickHouse confirms (the identical block and token on every retry), and only
 * then ack. Nothing is acked or skipped ahead while a block waits, so each table receives a
 * consumer's messages in stream order: that is what makes the watermark exact.
 */
export class IngestWorker {
  readonly stats: IngestWorkerStats = {
    received: 0,
    rows: 0,
    duplicates: 0,
    skipped: 0,
    deadLettered: 0,
    batches: 0,
    retries: 0,
  };
  readonly #o: IngestWorkerOptions;
  readonly #buffer: JsMsg[] = [];
  #firstAt = 0;
  #flushing: Promise<void> = Promise.resolve();
  #queued = false;
  #watermarks = new Map<IngestTable, number>();
  #messages: ConsumerMessages | undefined;
  #timer: NodeJS.Timeout | undefined;
  #loop: Promise<void> = Promise.resolve();
  #stopping: 'drain' | 'abort' | undefined;

  constructor(opts: IngestWorkerOptions) {
    this.#o = opts;
  }

  get source(): IngestSource {
    return this.#o.source;
  }
  get epoch(): number {
    return this.#o.epoch;
  }

  /** Reads the watermarks (waiting out a ClickHouse outage) and starts consuming. */
  async start(): Promise<void> {
    const o = this.#o;
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping) return;
      try {
        this.#watermarks = await readWatermarks(o.ch, o.source.durable, o.source.tables);
        break;
      } catch (err) {
        this.#noteRetry(err, 'reading watermarks');
        await sleep(this.#backoff(attempt));
        if (!o.keeper.isValid(o.source.lease)) return this.#lose('lease expired while reading watermarks');
      }
    }
    o.logger.info(
      { consumer: o.source.durable, epoch: o.epoch, watermarks: Object.fromEntries(this.#watermarks) },
      'ingest consumer started'
    );
    const consumer = await o.bus.js.consumers.get(o.source.stream, o.source.durable);
    if (this.#stopping) return;
    this.#messages = await consumer.consume({ max_messages: o.batchSize });
    this.#timer = setInterval(() => this.#flushIfDue(), Math.max(5, Math.floor(o.batchMs / 4)));
    this.#loop = this.#read(this.#messages).catch((err: unknown) => {
      if (!this.#stopping) this.#lose(`consume failed: ${(err as Error).message}`);
    });
  }

  /** `drain` inserts and acks what is buffered; `abort` drops it unacked (redelivered to the next owner). */
  async stop(mode: 'drain' | 'abort'): Promise<void> {
    if (this.#stopping !== 'abort') this.#stopping = mode;
    clearInterval(this.#timer);
    await this.#messages?.close();
    await this.#loop;
    if (mode === 'drain') await this.#flush();
    await this.#flushing;
  }

  /** Pending, unacked and the age of the oldest unacked message, from the server. */
  lag(): Promise<LagSample> {
    return readLag(this.#o.bus, this.#o.source);
  }

  async #read(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      if (this.#stopping) break;
      if (this.#buffer.length === 0) this.#firstAt = Date.now();
      this.#buffer.push(m);
      this.stats.received++;
      // back-pressure: stop reading while a full batch goes in
      if (this.#buffer.length >= this.#o.batchSize) await this.#flush();
    }
  }

  #flushIfDue(): void {
    if (this.#buffer.length > 0 && Date.now() - this.#firstAt >= this.#o.batchMs) void this.#flush();
  }

  /** At most one flush runs and one waits: the waiting one takes whatever the buffer holds when it starts. */
  #flush(): Promise<void> {
    if (this.#queued) return this.#flushing;
    this.#queued = true;
    this.#flushing = this.#flushing.then(() => {
      this.#queued = false;
      return this.#flushNow();
    });
    return this.#flushing;
  }

  async #flushNow(): Promise<void> {
    const o = this.#o;
    if (this.#stopping === 'abort' || this.#buffer.length === 0) return;
    const msgs = this.#buffer.splice(0);
    const planned: PlannedMessage[] = [];
    const invalid: Invalid[] = [];
    const content: Array<{ id: string; ts: string; data: AppTelemetryT3 }> = [];
    for (const m of msgs) {
      const d = decodeEnvelope(m.data, INGEST_ACCEPTS[o.source.stream]);
      if (!d.ok) {
        const e = d.error;
        const sensitive = (e.kind === 'invalid_data' && e.sensitive) || isSensitiveSubject(m.subject);
        invalid.push({
          m,
          reason: e.reason,
          issues: e.issues,
          ...('schema' in e && e.schema ? { schema: e.schema } : {}),
          sensitive,
          erase: sensitive && refusedForEveryReader(e.kind),
        });
        continue;
      }
      if (d.envelope.schema === appTelemetryT3V1.id) {
        const data = d.envelope.data as AppTelemetryT3;
        if ((data.samples?.length ?? 0) > 0) content.push({ id: d.envelope.id, ts: d.envelope.ts, data });
      }
      const origin = { seq: m.seq, consumer: o.source.durable, subject: m.subject };
      planned.push({ seq: m.seq, placement: toRow(d.envelope, origin, o.source.stream) });
    }
    // content first: a row that counts samples never points at samples the vault lacks
    if (o.contentStore && content.length > 0 && !(await this.#storeContentUntilDone(o.contentStore, content))) return;
    const plan = planBatch(o.source.durable, planned, this.#watermarks);
    for (const ins of plan.inserts) {
      if (!(await this.#insertUntilConfirmed(ins))) return;
      this.#watermarks.set(ins.table, ins.lastSeq);
      this.stats.rows += ins.rows.length;
    }
    // invalid messages are termed once dead-lettered, or naked to come back when that failed
    for (const x of invalid) await this.#deadLetter(x);
    const invalidMsgs = new Set(invalid.map((x) => x.m));
    for (const m of msgs) if (!invalidMsgs.has(m)) m.ack();
    this.stats.batches++;
    this.stats.duplicates += plan.duplicates;
    this.stats.skipped += plan.skipped;
  }

  /** True once ClickHouse confirmed the block; false when the lease is gone (nothing acked). */
  async #insertUntilConfirmed(ins: TableInsert): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping === 'abort') return false;
      const lease = await this.#checkLease();
      if (lease === 'lost') {
        this.#lose(`lease ${this.#o.source.lease} is no longer ours at epoch ${this.#o.epoch}`);
        return false;
      }
      if (lease === 'ours') {
        // the strict read awaited NATS: a stall since then shows as a passed deadline
        if (!this.#o.keeper.isValid(this.#o.source.lease)) {
          this.#lose(`lease ${this.#o.source.lease} expired before the insert`);
          return false;
        }
        try {
          await insertBlock(this.#o.ch, ins);
          return true;
        } catch (err) {
          this.#noteRetry(err, `inserting ${ins.rows.length} rows into ${ins.table}`);
        }
      }
      await sleep(this.#backoff(attempt));
    }
  }

  /** True once every sample is in the vault (idempotent, so a retry or a second owner stores nothing twice). */
  async #storeContentUntilDone(
    store: ContentStore,
    content: ReadonlyArray<{ id: string; ts: string; data: AppTelemetryT3 }>
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping === 'abort') return false;
      if (!this.#o.keeper.isValid(this.#o.source.lease)) {
        this.#lose(`lease ${this.#o.source.lease} expired while storing tier-3 content`);
        return false;
      }
      try {
        for (const c of content) await store.storeSamples(c.id, c.ts, c.data);
        return true;
      } catch (err) {
        this.#noteRetry(err, `storing tier-3 content of ${content.length} windows`);
      }
      await sleep(this.#backoff(attempt));
    }
  }

  /** Read from the stream leader right before each insert, so a replaced owner stops writing. */
  async #checkLease(): Promise<LeaseCheck> {
    const o = this.#o;
    if (!o.keeper.isValid(o.source.lease)) return 'lost';
    try {
      const l = await o.leases.readStrict(o.source.lease);
      const ours = l !== undefined && l.holder === o.holder && l.epoch === o.epoch && l.deadline > Date.now();
      return ours ? 'ours' : 'lost';
    } catch (err) {
      this.#noteRetry(err, 'reading the lease');
      return 'unknown';
    }
  }

  async #deadLetter(x: Invalid): Promise<void> {
    const o = this.#o;
    try {
      await deadLetter(
        o.bus.js,
        {
          stream: o.source.stream,
          subject: x.m.subject,
          reason: x.reason,
          issues: x.issues,
          ...(x.schema ? { schema: x.schema } : {}),
          raw: x.m.data,
          deliveries: x.m.info.deliveryCount,
          sensitive: x.sensitive,
          ...(x.m.headers ? { headers: x.m.headers } : {}),
        },
        { source: o.holder }
      );
      if (x.erase) await eraseStreamMessage(o.bus.js, o.source.stream, x.m.seq);
      x.m.term(x.reason.slice(0, 200));
      this.stats.deadLettered++;
    } catch (err) {
      // without its DLQ record (or with its content still in the stream) the message comes back
      o.logger.error({ err, subject: x.m.subject }, 'dead-letter failed; message will be redelivered');
      x.m.nak(1_000);
    }
  }

  #noteRetry(err: unknown, what: string): void {
    this.stats.retries++;
    this.stats.lastError = `${what}: ${(err as Error).message}`.slice(0, 300);
    this.#o.logger.warn({ err, consumer: this.#o.source.durable, what }, 'ingest retrying');
  }

  #backoff(attempt: number): number {
    const cap = this.#o.retryMaxMs ?? 2_000;
    const base = Math.min(cap, 100 * 2 ** Math.min(attempt, 10));
    return base * (0.8 + Math.random() * 0.4);
  }

  #lose(reason: string): void {
    if (this.#stopping === 'abort') return;
    this.#stopping = 'abort';
    clearInterval(this.#timer);
    void this.#messages?.close();
    this.#o.onLost(reason);
  }
}
