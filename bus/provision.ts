import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { Kvm } from '@nats-io/kv';
import type { ConsumerSpec, KvSpec, StreamSpec, Topology } from './topology.js';

export interface ProvisionReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

const MS = 1_000_000; // JetStream durations are nanoseconds

function streamConfig(s: StreamSpec): Partial<StreamConfig> & { name: string } {
  const cfg: Partial<StreamConfig> & { name: string } = {
    name: s.name,
    subjects: s.subjects,
    retention: s.retention,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: s.maxAgeMs * MS,
    max_bytes: s.maxBytes,
    max_msg_size: s.maxMsgSize,
    duplicate_window: s.duplicateWindowMs * MS,
    num_replicas: s.replicas,
  };
  if (s.transform) cfg.subject_transform = s.transform;
  return cfg;
}

/** Consumer fields provisioning owns; where to start delivering belongs to the partition owner. */
function consumerLimits(c: ConsumerSpec): Partial<ConsumerConfig> {
  return {
    filter_subject: c.filterSubject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: c.ackWaitMs * MS,
    max_ack_pending: c.maxAckPending,
    // our consume loop counts deliveries and dead-letters; the server must not drop first
    max_deliver: -1,
  };
}

function consumerConfig(c: ConsumerSpec): Partial<ConsumerConfig> & { durable_name: string } {
  return { durable_name: c.durable, deliver_policy: DeliverPolicy.All, ...consumerLimits(c) };
}

/** What a rewind needs to rebuild a consumer that vanished: its ack floor and its config. */
export interface RewindRecord {
  floor: number;
  config: Partial<ConsumerConfig>;
}

/**
 * Where rewinds note the floor and config before deleting the consumer: an owner killed
 * between the delete and the add leaves no consumer, and the next owner rebuilds it from here.
 */
export interface RewindJournal {
  save(durable: string, record: RewindRecord): Promise<void>;
  load(durable: string): Promise<RewindRecord | undefined>;
}

/**
 * Recreates a partition consumer so delivery restarts, in stream order, just after its ack
 * floor. A new partition owner does this first: messages its predecessor held unacked would
 * otherwise come back only after ack_wait, behind newer ones, and an actor that skips
 * sequences it already passed would skip them. It also cuts off the predecessor's pulls.
 */
export async function rewindConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  journal?: RewindJournal
): Promise<number> {
  let record: RewindRecord | undefined;
  try {
    const info = await jsm.consumers.info(stream, durable);
    const { deliver_policy: _d, opt_start_seq: _s, opt_start_time: _t, ...keep } = info.config;
    record = { floor: info.ack_floor.stream_seq, config: keep };
    await journal?.save(durable, record);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    record = await journal?.load(durable);
    if (!record) {
      throw new Error(
        `consumer ${stream}/${durable} is missing and no rewind record says where it stood; ` +
          'restart the supervisor to provision it again',
        { cause: err }
      );
    }
  }
  await jsm.consumers.delete(stream, durable).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  await jsm.consumers.add(stream, {
    ...record.config,
    durable_name: durable,
    ...(record.floor > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: record.floor + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  });
  return record.floor;
}

/** Fields that differ between what we want and what the server has (only fields we manage). */
export function configDiff(want: Record<string, unknown>, have: Record<string, unknown>): string[] {
  return Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(have[k]));
}

const IMMUTABLE_STREAM_FIELDS = new Set(['storage', 'retention']);

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014);
}

async function provisionStream(jsm: JetStreamManager, s: StreamSpec, report: ProvisionReport): Promise<void> {
  const want = streamConfig(s);
  let have: StreamConfig | undefined;
  try {
    have = (await jsm.streams.info(s.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!have) {
    await jsm.streams.add(want);
    report.created.push(`stream ${s.name}`);
    return;
  }
  const diff = configDiff(want, have);
  if (diff.length === 0) {
    report.unchanged.push(`stream ${s.name}`);
    return;
  }
  const frozen = diff.filter((f) => IMMUTABLE_STREAM_FIELDS.has(f));
  if (frozen.length) {
    throw new Error(
      `stream ${s.name}: ${frozen.join(', ')} cannot change on a live stream; back it up, delete it ` +
        `(nats stream rm ${s.name}) and provision again`
    );
  }
  await jsm.streams.update(s.name, { ...have, ...want });
  report.updated.push(`stream ${s.name} (${diff.join(', ')})`);
}

async function provisionConsumer(jsm: JetStreamManager, c: ConsumerSpec, report: ProvisionReport): Promise<void> {
  const want = consumerConfig(c);
  const limits = consumerLimits(c);
  let have: ConsumerConfig | undefined;
  try {
    have = (await jsm.consumers.info(c.stream, c.durable)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!have) {
    await jsm.consumers.add(c.stream, want);
    report.created.push(`consumer ${c.stream}/${c.durable}`);
    return;
  }
  // only limits: a partition owner rewinds its consumer to a start sequence, which must stay
  const diff = configDiff(limits, have);
  if (diff.length === 0) {
    report.unchanged.push(`consumer ${c.stream}/${c.durable}`);
    return;
  }
  await jsm.consumers.update(c.stream, c.durable, { ...have, ...limits });
  report.updated.push(`consumer ${c.stream}/${c.durable} (${diff.join(', ')})`);
}

async function provisionKv(jsm: JetStreamManager, kvm: Kvm, k: KvSpec, report: ProvisionReport): Promise<void> {
  const streamName = `KV_${k.bucket}`;
  let have: StreamConfig | undefined;
  try {
    have = (await jsm.streams.info(streamName)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!have) {
    await kvm.create(k.bucket, { history: k.history, ttl: k.ttlMs, replicas: k.replicas });
    report.created.push(`kv ${k.bucket}`);
    return;
  }
  const want = { max_msgs_per_subject: k.history, max_age: k.ttlMs * MS, num_replicas: k.replicas };
  const diff = configDiff(want, have);
  if (diff.length === 0) {
    report.unchanged.push(`kv ${k.bucket}`);
    return;
  }
  await jsm.streams.update(streamName, { ...have, ...want });
  report.updated.push(`kv ${k.bucket} (${diff.join(', ')})`);
}

/**
 * Makes the server match the topology: creates what is missing, updates what differs, leaves
 * the rest alone. Running it twice changes nothing the second time.
 */
export async function provision(jsm: JetStreamManager, kvm: Kvm, topology: Topology): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], updated: [], unchanged: [] };
  for (const s of topology.streams) await provisionStream(jsm, s, report);
  // consumers in small parallel batches: 64 one-by-one round trips add up at every start
  const batch = 16;
  for (let i = 0; i < topology.consumers.length; i += batch) {
    await Promise.all(topology.consumers.slice(i, i + batch).map((c) => provisionConsumer(jsm, c, report)));
  }
  for (const k of topology.kv) await provisionKv(jsm, kvm, k, report);
  return report;
}
