import { z } from 'zod';

/**
 * Every environment variable an OptiInfra process reads, in one table, so the local
 * launcher (`optiinfra up`) and docker-compose.yml pass the same names (a test checks it).
 */
export const ENV_VARS = {
  OI_NATS_URL: { default: 'nats://127.0.0.1:4222', doc: 'NATS server URL(s), comma-separated for a cluster' },
  OI_NATS_USER: { default: '', doc: 'NATS user (when the server requires authorization)' },
  OI_NATS_PASS: { default: '', doc: 'NATS password', secret: true },
  OI_PG_URL: { default: 'postgres://postgres@127.0.0.1:55432/optiinfra', doc: 'PostgreSQL URL' },
  OI_CLICKHOUSE_URL: { default: 'http://127.0.0.1:8123', doc: 'ClickHouse HTTP URL' },
  OI_CLICKHOUSE_DB: { default: 'optiinfra', doc: 'ClickHouse database' },
  OI_CLICKHOUSE_USER: { default: 'default', doc: 'ClickHouse user' },
  OI_CLICKHOUSE_PASSWORD: { default: '', doc: 'ClickHouse password', secret: true },
  OI_PARTITIONS: { default: '64', doc: 'workload partitions (the OI_TEL subject transform)' },
  OI_STREAM_REPLICAS: { default: '1', doc: 'JetStream replicas per stream: 1 on one server, 3 on a cluster' },
  OI_LOG_LEVEL: { default: 'info', doc: 'pino level: trace, debug, info, warn, error' },
  OI_OUTBOX_INTERVAL_MS: { default: '2000', doc: 'retry interval of events waiting in the outbox' },
  OI_LEASE_TTL_MS: { default: '10000', doc: 'partition and leader lease TTL; a dead host is replaced within 2x this' },
  OI_ACK_WAIT_MS: {
    default: '30000',
    doc: 'how long JetStream waits for an ack before redelivering; keep it above 2x OI_LEASE_TTL_MS',
  },
  OI_HOST_ID: { default: '', doc: 'actor host id (default: <hostname>-<pid>-<random>; must be unique per process)' },
  OI_HOST_ACTORS: { default: 'probe', doc: 'actor kinds a host runs, comma-separated (probe; agents as they land)' },
} as const satisfies Record<string, { default: string; doc: string; secret?: boolean }>;

export type EnvName = keyof typeof ENV_VARS;

/** The processes OptiInfra runs, and the variables each reads. docker-compose has one service per entry. */
export const PROCESSES = {
  supervisor: {
    doc: 'workload commands, migrations and bus provisioning; later health, placement and arbitration',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_PG_URL',
      'OI_CLICKHOUSE_URL',
      'OI_CLICKHOUSE_DB',
      'OI_CLICKHOUSE_USER',
      'OI_CLICKHOUSE_PASSWORD',
      'OI_PARTITIONS',
      'OI_STREAM_REPLICAS',
      'OI_LOG_LEVEL',
      'OI_OUTBOX_INTERVAL_MS',
      'OI_LEASE_TTL_MS',
      'OI_ACK_WAIT_MS',
    ],
  },
  host: {
    doc: 'actor host: runs the actors of the partitions the supervisor assigns it; start more to scale',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_PG_URL',
      'OI_PARTITIONS',
      'OI_LOG_LEVEL',
      'OI_LEASE_TTL_MS',
      'OI_HOST_ID',
      'OI_HOST_ACTORS',
    ],
  },
} as const satisfies Record<string, { doc: string; env: readonly EnvName[] }>;

export type ProcessName = keyof typeof PROCESSES;

const positiveInt = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .positive(`${name} must be > 0`);

export interface ProcessConfig {
  natsUrl: string;
  natsUser?: string;
  natsPass?: string;
  pgUrl: string;
  clickhouseUrl: string;
  clickhouseDb: string;
  clickhouseUser: string;
  clickhousePassword: string;
  partitions: number;
  streamReplicas: number;
  logLevel: string;
  outboxIntervalMs: number;
  leaseTtlMs: number;
  ackWaitMs: number;
  hostId?: string;
  hostActors: string[];
}

/** Reads the process configuration; a bad value throws naming the variable and the rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProcessConfig {
  const get = (k: EnvName): string => env[k] ?? ENV_VARS[k].default;
  const parse = <T>(name: EnvName, schema: z.ZodType<T>): T => {
    const r = schema.safeParse(get(name));
    if (!r.success) throw new Error(`${name}=${JSON.stringify(get(name))}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return r.data;
  };
  const user = get('OI_NATS_USER');
  const pass = get('OI_NATS_PASS');
  return {
    natsUrl: get('OI_NATS_URL'),
    ...(user ? { natsUser: user } : {}),
    ...(pass ? { natsPass: pass } : {}),
    pgUrl: parse('OI_PG_URL', z.string().regex(/^postgres(ql)?:\/\//, 'OI_PG_URL must start with postgres://')),
    clickhouseUrl: parse('OI_CLICKHOUSE_URL', z.url('OI_CLICKHOUSE_URL must be a URL')),
    clickhouseDb: parse(
      'OI_CLICKHOUSE_DB',
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'OI_CLICKHOUSE_DB must be an identifier')
    ),
    clickhouseUser: get('OI_CLICKHOUSE_USER'),
    clickhousePassword: get('OI_CLICKHOUSE_PASSWORD'),
    partitions: parse('OI_PARTITIONS', positiveInt('OI_PARTITIONS').max(1024, 'OI_PARTITIONS must be <= 1024')),
    streamReplicas: parse(
      'OI_STREAM_REPLICAS',
      positiveInt('OI_STREAM_REPLICAS').max(5, 'OI_STREAM_REPLICAS must be <= 5')
    ),
    logLevel: parse('OI_LOG_LEVEL', z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])),
    outboxIntervalMs: parse('OI_OUTBOX_INTERVAL_MS', positiveInt('OI_OUTBOX_INTERVAL_MS')),
    leaseTtlMs: parse('OI_LEASE_TTL_MS', positiveInt('OI_LEASE_TTL_MS').min(200, 'OI_LEASE_TTL_MS must be >= 200')),
    ackWaitMs: parse('OI_ACK_WAIT_MS', positiveInt('OI_ACK_WAIT_MS').min(1_000, 'OI_ACK_WAIT_MS must be >= 1000')),
    ...(get('OI_HOST_ID')
      ? {
          hostId: parse(
            'OI_HOST_ID',
            z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'OI_HOST_ID: letters, digits, _ and -')
          ),
        }
      : {}),
    hostActors: get('OI_HOST_ACTORS')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
