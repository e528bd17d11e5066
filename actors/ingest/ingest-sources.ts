import { STREAMS, subjects, type StreamName } from '../../schemas/index.js';
import type { ConsumerSpec } from '../../bus/index.js';

/** ClickHouse tables ingest writes raw rows into (stores/clickhouse/migrations/002, 003, 005, 006). */
export const INGEST_TABLES = {
  gpu: 'tel_gpu',
  engine: 'tel_engine',
  app: 'tel_app',
  cost: 'tel_cost',
  appTiers: 'tel_app_tiers',
  proposals: 'proposals',
  decisions: 'decisions',
  events: 'events',
  dlq: 'dlq_entries',
} as const;
export type IngestTable = (typeof INGEST_TABLES)[keyof typeof INGEST_TABLES];

/**
 * One unit of ingest work: a durable consumer of its own (never an agent's), owned by one
 * ingest process at a time through the lease `lease`.
 */
export interface IngestSource {
  /** Stable index, used to rank owners by rendezvous hashing. */
  index: number;
  stream: StreamName;
  durable: string;
  filterSubject: string;
  /** Lease key in `oi_leases`, e.g. `ingest.tel.3`. */
  lease: string;
  /** Tables rows from this consumer go to: where a new owner reads its watermarks. */
  tables: readonly IngestTable[];
}

export interface IngestSourceOptions {
  partitions: number;
  /** Unacked messages the server hands one ingest consumer; two batches let one fill while one inserts. */
  maxAckPending: number;
  ackWaitMs: number;
}

const TEL_TABLES = [
  INGEST_TABLES.gpu,
  INGEST_TABLES.engine,
  INGEST_TABLES.app,
  INGEST_TABLES.cost,
  INGEST_TABLES.appTiers,
] as const;

/** Durable name of the ingest consumer of one OI_TEL partition. */
export function ingestTelConsumer(partition: number): string {
  return `oi-ingest-tel-p${partition}`;
}

/**
 * Every ingest consumer: one per OI_TEL partition (telemetry is the volume), one each for
 * OI_REC, OI_DEC, OI_EVT and OI_DLQ (a few messages a second at most).
 */
export function ingestSources(partitions: number): IngestSource[] {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new Error(`partitions must be an integer in 1..1024, got ${partitions}`);
  }
  const out: IngestSource[] = [];
  for (let p = 0; p < partitions; p++) {
    out.push({
      index: p,
      stream: STREAMS.tel,
      durable: ingestTelConsumer(p),
      filterSubject: subjects.telPartition(p),
      lease: `ingest.tel.${p}`,
      tables: TEL_TABLES,
    });
  }
  const single = (stream: StreamName, name: string, filter: string, table: IngestTable): IngestSource => ({
    index: out.length,
    stream,
    durable: `oi-ingest-${name}`,
    filterSubject: filter,
    lease: `ingest.${name}`,
    tables: [table],
  });
  out.push(single(STREAMS.rec, 'rec', 'oi.v1.rec.>', INGEST_TABLES.proposals));
  out.push(single(STREAMS.dec, 'dec', 'oi.v1.dec.>', INGEST_TABLES.decisions));
  out.push(single(STREAMS.evt, 'evt', 'oi.v1.evt.>', INGEST_TABLES.events));
  out.push(single(STREAMS.dlq, 'dlq', 'oi.v1.dlq.>', INGEST_TABLES.dlq));
  return out;
}

/** The consumers to provision, in the bus's declarative form. */
export function ingestConsumerSpecs(opts: IngestSourceOptions): ConsumerSpec[] {
  return ingestSources(opts.partitions).map((s) => ({
    stream: s.stream,
    durable: s.durable,
    filterSubject: s.filterSubject,
    ackWaitMs: opts.ackWaitMs,
    maxAckPending: opts.maxAckPending,
  }));
}
