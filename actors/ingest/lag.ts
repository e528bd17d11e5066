import type { MsgRequest } from '@nats-io/jetstream';
import type { Bus } from '../../bus/index.js';
import type { IngestSource } from './ingest-sources.js';

/** How far one ingest consumer is behind its stream. */
export interface LagSample {
  consumer: string;
  stream: string;
  /** In the stream, not yet delivered. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ackPending: number;
  /** Age (wall clock, by the stream's receive time) of the oldest message not yet acknowledged; 0 when none. */
  oldestUnackedAgeMs: number;
}

/** Reads a consumer's lag from the server: counts from consumer info, the age from the first message above its ack floor. */
export async function readLag(bus: Bus, source: IngestSource, now: number = Date.now()): Promise<LagSample> {
  const info = await bus.jsm.consumers.info(source.stream, source.durable);
  const base = {
    consumer: source.durable,
    stream: source.stream,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
  };
  if (info.num_pending + info.num_ack_pending === 0) return { ...base, oldestUnackedAgeMs: 0 };
  // STREAM.MSG.GET takes `seq` + `next_by_subj` (the first match at or after seq); the client's type omits the pair
  const query = { seq: info.ack_floor.stream_seq + 1, next_by_subj: source.filterSubject } as unknown as MsgRequest;
  const oldest = await bus.jsm.streams.getMessage(source.stream, query);
  const ageMs = oldest ? Math.max(0, now - oldest.time.getTime()) : 0;
  return { ...base, oldestUnackedAgeMs: Math.round(ageMs) };
}
