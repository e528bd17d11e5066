import { z } from 'zod';
import { loadSecrets } from './secrets.js';

/**
 * Every environment variable an OptiInfra process reads, in one table, so the local
 * launcher (`optiinfra up`) and docker-compose.yml pass the same names (a test checks it).
 */
export const ENV_VARS = {
  OI_NATS_URL: { default: 'nats://127.0.0.1:4222', doc: 'NATS server URL(s), comma-separated for a cluster' },
  OI_NATS_USER: { default: '', doc: 'NATS user (when the server requires authorization)' },
  OI_NATS_PASS: { default: '', doc: 'NATS password', secret: true },
  OI_NATS_PASS_FILE: {
    default: '',
    doc: 'file holding the NATS password (mode 0600, written by `optiinfra creds`); used when OI_NATS_PASS is empty',
  },
  OI_LLM_API_KEY: { default: '', doc: 'API key of the OpenAI-compatible LLM endpoint', secret: true },
  OI_LLM_API_KEY_FILE: { default: '', doc: 'file holding OI_LLM_API_KEY' },
  OI_TIER3_KEY: { default: '', doc: 'encryption key of tier-3 (privacy) application content', secret: true },
  OI_TIER3_KEY_FILE: { default: '', doc: 'file holding OI_TIER3_KEY' },
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
  OI_ARBITRATION_WINDOW_MS: {
    default: '30000',
    doc: 'event time during which proposals for one workload are arbitrated together',
  },
  OI_ARBITRATION_CLOCK: {
    default: 'wall',
    doc: 'what moves the arbiter on: wall (a timer) or lockstep (oi.v1.clock.tick from the simulator)',
  },
  OI_ARBITRATION_TICK_MS: { default: '1000', doc: 'wall-clock tick of the arbiter (OI_ARBITRATION_CLOCK=wall)' },
  OI_LOCK_TTL_MS: { default: '900000', doc: 'how long a winning action holds its lock (at least its verify window)' },
  OI_APPROVAL_TTL_MS: { default: '86400000', doc: 'how long a proposal waits for an operator before it expires' },
  OI_NOTIFY_WEBHOOKS: {
    default: '',
    doc: 'JSON list of {url, events[]}: Slack-compatible webhooks and the events each gets (actors/notify)',
    secret: true,
  },
  OI_NOTIFY_DLQ_CHECK_MS: { default: '30000', doc: 'how often notify looks at OI_DLQ for growth' },
  OI_HOST_ID: { default: '', doc: 'actor host id (default: <hostname>-<pid>-<random>; must be unique per process)' },
  OI_HOST_ACTORS: {
    default: 'probe',
    doc: 'actor kinds a host runs, comma-separated: probe, cost, performance, resource, application',
  },
  OI_EDGE_NODE: { default: '', doc: 'gpu-edge node id (default: the host name)' },
  OI_EDGE_WORKLOAD: { default: 'default', doc: 'workload the gpu-edge engine serves' },
  OI_EDGE_ENGINE: { default: 'sim', doc: 'engine adapter: vllm (launches vllm serve) or sim (the simulated engine)' },
  OI_EDGE_MODEL: { default: 'meta-llama/Llama-3.1-8B-Instruct', doc: 'model the engine serves' },
  OI_EDGE_GPU: { default: 'H100-SXM', doc: 'GPU model of the node (catalog id), for the fit check' },
  OI_EDGE_ENGINE_PORT: { default: '8000', doc: 'port of the engine HTTP server' },
  OI_EDGE_ENGINE_COMMAND: { default: 'vllm serve', doc: 'command that starts vLLM, before the model and flags' },
  OI_EDGE_ENGINE_ARGS: { default: '--max-model-len 8192', doc: 'initial engine flags until a change commits' },
  OI_EDGE_STATE_DIR: {
    default: '.oi-run/edge',
    doc: 'gpu-edge state (fencing marks, done decisions, last good config)',
  },
  OI_EDGE_TELEMETRY_MS: { default: '5000', doc: 'gpu-edge telemetry interval' },
  OI_EDGE_VERIFY_MS: { default: '30000', doc: 'verification window of an engine change before it commits' },
  OI_EDGE_HEALTH_TIMEOUT_MS: { default: '600000', doc: 'how long a (re)started engine may take to answer /health' },
  OI_EDGE_SIM_SPEED: { default: '1', doc: 'simulated seconds per wall second of the sim engine' },
  OI_NVIDIA_SMI: { default: '', doc: 'nvidia-smi path ("" = nvidia-smi for vllm, none for sim; off = none)' },
  OI_INGEST_ID: { default: '', doc: 'ingest process id (default: <hostname>-<pid>-<random>; unique per process)' },
  OI_INGEST_BATCH_SIZE: { default: '2000', doc: 'messages per ClickHouse insert of one ingest consumer' },
  OI_INGEST_BATCH_MS: { default: '1000', doc: 'longest a message waits for its ingest batch to fill, ms' },
  OI_INGEST_LAG_INTERVAL_MS: {
    default: '10000',
    doc: 'how often ingest writes consumer lag to ClickHouse (ingest_lag)',
  },
} as const satisfies Record<string, { default: string; doc: string; secret?: boolean }>;

export type EnvName = keyof typeof ENV_VARS;

/** The processes OptiInfra runs, and the variables each reads. docker-compose has one service per entry. */
export const PROCESSES = {
  supervisor: {
    doc: 'workload commands, migrations, bus provisioning, placement and arbitration (the priority protocol)',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_NATS_PASS_FILE',
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
      'OI_ARBITRATION_WINDOW_MS',
      'OI_ARBITRATION_CLOCK',
      'OI_ARBITRATION_TICK_MS',
      'OI_LOCK_TTL_MS',
      'OI_APPROVAL_TTL_MS',
    ],
  },
  host: {
    doc: 'actor host: runs the actors of the partitions the supervisor assigns it; start more to scale',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_NATS_PASS_FILE',
      'OI_PG_URL',
      'OI_PARTITIONS',
      'OI_LOG_LEVEL',
      'OI_LEASE_TTL_MS',
      'OI_HOST_ID',
      'OI_HOST_ACTORS',
      'OI_LLM_API_KEY',
      'OI_LLM_API_KEY_FILE',
      'OI_TIER3_KEY',
      'OI_TIER3_KEY_FILE',
    ],
  },
  notify: {
    doc: 'turns chosen OI_EVT events and OI_DLQ growth into webhook calls (Slack-compatible JSON)',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_NATS_PASS_FILE',
      'OI_LOG_LEVEL',
      'OI_NOTIFY_WEBHOOKS',
      'OI_NOTIFY_DLQ_CHECK_MS',
    ],
  },
  ingest: {
    doc: 'ingest: telemetry, proposals, decisions and events into ClickHouse exactly once; reports; start more to scale',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_NATS_PASS_FILE',
      'OI_CLICKHOUSE_URL',
      'OI_CLICKHOUSE_DB',
      'OI_CLICKHOUSE_USER',
      'OI_CLICKHOUSE_PASSWORD',
      'OI_PARTITIONS',
      'OI_LOG_LEVEL',
      'OI_LEASE_TTL_MS',
      'OI_ACK_WAIT_MS',
      'OI_INGEST_ID',
      'OI_INGEST_BATCH_SIZE',
      'OI_INGEST_BATCH_MS',
      'OI_INGEST_LAG_INTERVAL_MS',
    ],
  },
  executor: {
    doc: 'cloud executor: carries out approved decisions on instances (cloud-provider service) and engines (gpu-edges)',
    env: ['OI_NATS_URL', 'OI_NATS_USER', 'OI_NATS_PASS', 'OI_NATS_PASS_FILE', 'OI_PG_URL', 'OI_LOG_LEVEL'],
  },
  edge: {
    doc: 'gpu-edge: runs one inference engine with its telemetry and control (one per GPU node)',
    env: [
      'OI_NATS_URL',
      'OI_NATS_USER',
      'OI_NATS_PASS',
      'OI_NATS_PASS_FILE',
      'OI_PARTITIONS',
      'OI_LOG_LEVEL',
      'OI_EDGE_NODE',
      'OI_EDGE_WORKLOAD',
      'OI_EDGE_ENGINE',
      'OI_EDGE_MODEL',
      'OI_EDGE_GPU',
      'OI_EDGE_ENGINE_PORT',
      'OI_EDGE_ENGINE_COMMAND',
      'OI_EDGE_ENGINE_ARGS',
      'OI_EDGE_STATE_DIR',
      'OI_EDGE_TELEMETRY_MS',
      'OI_EDGE_VERIFY_MS',
      'OI_EDGE_HEALTH_TIMEOUT_MS',
      'OI_EDGE_SIM_SPEED',
      'OI_NVIDIA_SMI',
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
  /** From OI_LLM_API_KEY or its _FILE; never logged (config/secrets.ts). */
  llmApiKey?: string;
  /** From OI_TIER3_KEY or its _FILE. */
  tier3Key?: string;
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
  ingestId?: string;
  ingestBatchSize: number;
  ingestBatchMs: number;
  ingestLagIntervalMs: number;
  arbitrationWindowMs: number;
  arbitrationClock: 'wall' | 'lockstep';
  arbitrationTickMs: number;
  lockTtlMs: number;
  approvalTtlMs: number;
  /** Raw OI_NOTIFY_WEBHOOKS; actors/notify parses it (errors name the entry and field). */
  notifyWebhooks: string;
  notifyDlqCheckMs: number;
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
  const { natsPass: pass, llmApiKey, tier3Key } = loadSecrets(env);
  return {
    natsUrl: get('OI_NATS_URL'),
    ...(user ? { natsUser: user } : {}),
    ...(pass ? { natsPass: pass } : {}),
    ...(llmApiKey ? { llmApiKey } : {}),
    ...(tier3Key ? { tier3Key } : {}),
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
    ...(get('OI_INGEST_ID')
      ? {
          ingestId: parse(
            'OI_INGEST_ID',
            z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'OI_INGEST_ID: letters, digits, _ and -')
          ),
        }
      : {}),
    ingestBatchSize: parse(
      'OI_INGEST_BATCH_SIZE',
      positiveInt('OI_INGEST_BATCH_SIZE').max(100_000, 'OI_INGEST_BATCH_SIZE must be <= 100000')
    ),
    ingestBatchMs: parse('OI_INGEST_BATCH_MS', positiveInt('OI_INGEST_BATCH_MS')),
    ingestLagIntervalMs: parse(
      'OI_INGEST_LAG_INTERVAL_MS',
      positiveInt('OI_INGEST_LAG_INTERVAL_MS').min(100, 'OI_INGEST_LAG_INTERVAL_MS must be >= 100')
    ),
    hostActors: get('OI_HOST_ACTORS')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    arbitrationWindowMs: parse('OI_ARBITRATION_WINDOW_MS', positiveInt('OI_ARBITRATION_WINDOW_MS')),
    arbitrationClock: parse(
      'OI_ARBITRATION_CLOCK',
      z.enum(['wall', 'lockstep'], { message: 'OI_ARBITRATION_CLOCK must be wall or lockstep' })
    ),
    arbitrationTickMs: parse('OI_ARBITRATION_TICK_MS', positiveInt('OI_ARBITRATION_TICK_MS')),
    lockTtlMs: parse('OI_LOCK_TTL_MS', positiveInt('OI_LOCK_TTL_MS')),
    approvalTtlMs: parse('OI_APPROVAL_TTL_MS', positiveInt('OI_APPROVAL_TTL_MS')),
    notifyWebhooks: get('OI_NOTIFY_WEBHOOKS'),
    notifyDlqCheckMs: parse('OI_NOTIFY_DLQ_CHECK_MS', positiveInt('OI_NOTIFY_DLQ_CHECK_MS')),
  };
}
