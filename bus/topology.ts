import {
  DEFAULT_PARTITIONS,
  KV_BUCKETS,
  STREAMS,
  STREAM_SUBJECTS,
  subjects,
  type StreamName,
} from '../schemas/index.js';

/**
 * The declared shape of the bus (DESIGN.md "Subjects" and "KV buckets"): pure data that
 * `provision` makes true on a server. Every limit is an option so tests can run short.
 */

export interface StreamSpec {
  name: StreamName;
  subjects: string[];
  retention: 'limits' | 'workqueue' | 'interest';
  maxAgeMs: number;
  maxBytes: number;
  maxMsgSize: number;
  duplicateWindowMs: number;
  replicas: number;
  /** Rewrites captured subjects, e.g. to insert the partition token. */
  transform?: { src: string; dest: string };
}

export interface ConsumerSpec {
  stream: StreamName;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
}

export interface KvSpec {
  bucket: string;
  history: number;
  /** 0 keeps entries until overwritten. */
  ttlMs: number;
  replicas: number;
}

export interface Topology {
  partitions: number;
  streams: StreamSpec[];
  consumers: ConsumerSpec[];
  kv: KvSpec[];
}

export interface TopologyOptions {
  partitions?: number;
  /** 1 on a single server, 3 on a cluster. */
  replicas?: number;
  telMaxAgeMs?: number;
  evtMaxAgeMs?: number;
  dlqMaxAgeMs?: number;
  duplicateWindowMs?: number;
  maxMsgSize?: number;
  /** Redelivery delay of a message whose puller died; failover waits this long for in-flight messages. */
  ackWaitMs?: number;
  /**
   * Unacked messages a partition consumer hands out. Kept at one host round (the host's batch)
   * so a new owner never applies a later message while an earlier one awaits redelivery.
   */
  maxAckPending?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Messages a host takes from a partition per round; also the consumer's max_ack_pending. */
export const DEFAULT_HOST_BATCH = 256;

/** Durable consumer name of one telemetry partition. */
export function telConsumerName(partition: number): string {
  return `oi-tel-p${partition}`;
}

export function defaultTopology(opts: TopologyOptions = {}): Topology {
  const partitions = opts.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new Error(`partitions must be an integer in 1..1024, got ${partitions}`);
  }
  const replicas = opts.replicas ?? 1;
  const dup = opts.duplicateWindowMs ?? 2 * 60_000;
  const maxMsgSize = opts.maxMsgSize ?? 1024 * 1024;
  const base = { maxBytes: -1, maxMsgSize, duplicateWindowMs: dup, replicas };
  const stream = (name: StreamName, retention: StreamSpec['retention'], maxAgeMs: number): StreamSpec => ({
    name,
    subjects: STREAM_SUBJECTS[name],
    retention,
    maxAgeMs,
    ...base,
    // the server refuses a duplicate window longer than the retention
    duplicateWindowMs: Math.min(dup, maxAgeMs),
  });
  const tel = stream(STREAMS.tel, 'limits', opts.telMaxAgeMs ?? DAY);
  tel.transform = {
    src: 'oi.v1.tel.*.*.*',
    dest: `oi.v1.tel.{{partition(${partitions},2)}}.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}`,
  };
  const consumers: ConsumerSpec[] = [];
  for (let p = 0; p < partitions; p++) {
    consumers.push({
      stream: STREAMS.tel,
      durable: telConsumerName(p),
      filterSubject: subjects.telPartition(p),
      ackWaitMs: opts.ackWaitMs ?? 30_000,
      maxAckPending: opts.maxAckPending ?? DEFAULT_HOST_BATCH,
    });
  }
  return {
    partitions,
    streams: [
      tel,
      stream(STREAMS.rec, 'limits', 7 * DAY),
      stream(STREAMS.dec, 'limits', 30 * DAY),
      stream(STREAMS.act, 'workqueue', DAY),
      stream(STREAMS.evt, 'limits', opts.evtMaxAgeMs ?? 90 * DAY),
      stream(STREAMS.dlq, 'limits', opts.dlqMaxAgeMs ?? 30 * DAY),
    ],
    consumers,
    kv: [
      { bucket: KV_BUCKETS.leases, history: 1, ttlMs: 0, replicas },
      { bucket: KV_BUCKETS.health, history: 1, ttlMs: HOUR, replicas },
      { bucket: KV_BUCKETS.config, history: 10, ttlMs: 0, replicas },
    ],
  };
}
