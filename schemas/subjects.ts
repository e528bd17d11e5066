/**
 * Subject names and builders (DESIGN.md "Subjects (v1)"). The version sits in the subject so
 * v1 and v2 consumers run side by side. Tokens are validated: a dot or wildcard inside a
 * workload or node name would silently change which consumers see a message.
 */

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function token(kind: string, value: string): string {
  if (!TOKEN_PATTERN.test(value)) {
    throw new Error(`${kind} "${value}" is not a valid subject token (letters, digits, _ and -, 1-64 chars)`);
  }
  return value;
}

export type TelemetrySource = 'gpu' | 'engine' | 'app' | 'cost';
export type AgentKind = 'cost' | 'performance' | 'resource' | 'application';

export const STREAMS = {
  tel: 'OI_TEL',
  rec: 'OI_REC',
  dec: 'OI_DEC',
  act: 'OI_ACT',
  evt: 'OI_EVT',
  dlq: 'OI_DLQ',
} as const;
export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];

export const KV_BUCKETS = { leases: 'oi_leases', health: 'oi_health', config: 'oi_config' } as const;

export const subjects = {
  /** `oi.v<N>.cmd.<domain>.<verb>`: request-reply on core NATS, never captured by a stream. */
  cmd: (domain: string, verb: string, version = 1): string =>
    `oi.v${version}.cmd.${token('domain', domain)}.${token('verb', verb)}`,
  /** What a publisher sends; OI_TEL stores it with a partition token inserted (see `telStored`). */
  tel: (source: TelemetrySource, workload: string, node: string): string =>
    `oi.v1.tel.${source}.${token('workload', workload)}.${token('node', node)}`,
  telStored: (partition: number, source: TelemetrySource, workload: string, node: string): string =>
    `oi.v1.tel.${partition}.${source}.${token('workload', workload)}.${token('node', node)}`,
  /** Filter for one partition's telemetry, for the durable consumer that owns it. */
  telPartition: (partition: number): string => `oi.v1.tel.${partition}.>`,
  rec: (agent: AgentKind, workload: string): string => `oi.v1.rec.${agent}.${token('workload', workload)}`,
  /** The fence a new partition owner writes into OI_REC before its first effect. */
  fence: (partition: number): string => `oi.v1.rec.fence.p${partition}`,
  dec: (workload: string): string => `oi.v1.dec.${token('workload', workload)}`,
  /** Verbs may have several tokens (`engine.reconfigure`). */
  act: (node: string, verb: string): string =>
    `oi.v1.act.${token('node', node)}.${verb
      .split('.')
      .map((t) => token('verb', t))
      .join('.')}`,
  actForNode: (node: string): string => `oi.v1.act.${token('node', node)}.>`,
  evt: (domain: string, event: string, workload: string): string =>
    `oi.v1.evt.${token('domain', domain)}.${token('event', event)}.${token('workload', workload)}`,
  dlq: (stream: string): string => `oi.v1.dlq.${token('stream', stream)}`,
  clockTick: 'oi.v1.clock.tick',
  clockAck: 'oi.v1.clock.ack',
} as const;

/** Wildcards each stream captures. */
export const STREAM_SUBJECTS: Record<StreamName, string[]> = {
  OI_TEL: ['oi.v1.tel.*.*.*'],
  OI_REC: ['oi.v1.rec.*.*'],
  OI_DEC: ['oi.v1.dec.*'],
  OI_ACT: ['oi.v1.act.*.>'],
  OI_EVT: ['oi.v1.evt.*.*.*'],
  OI_DLQ: ['oi.v1.dlq.*'],
};

export const DEFAULT_PARTITIONS = 64;

/**
 * The partition nats-server's `{{partition(P,k)}}` transform assigns: FNV-1a (32 bit) over the
 * chosen tokens concatenated without separator, modulo P. Lets a host compute a workload's
 * partition without asking the server.
 */
export function partitionOf(workload: string, partitions = DEFAULT_PARTITIONS): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(workload);
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

/** Splits a stored telemetry subject back into its parts; undefined when it is not one. */
export function parseTelStored(
  subject: string
): { partition: number; source: string; workload: string; node: string } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 7 || parts[0] !== 'oi' || parts[1] !== 'v1' || parts[2] !== 'tel') return undefined;
  const partition = Number(parts[3]);
  if (!Number.isInteger(partition)) return undefined;
  return { partition, source: parts[4]!, workload: parts[5]!, node: parts[6]! };
}
