import { connectBus, request, type Bus } from '../../bus/index.js';
import { listWorkloadsV1, subjects } from '../../schemas/index.js';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../testkit/index.js';

export interface OptiInfraSystemOptions {
  /** Telemetry partitions (OI_PARTITIONS); a lockstep tick waits for acks covering all of them. */
  partitions: number;
  /** Agent hosts, each running the four agents. */
  hosts: number;
  /** The fleet's telemetry interval: the agents aggregate over it. */
  intervalMs: number;
  /** Database name prefix (PostgreSQL and ClickHouse). */
  name: string;
  logLevel?: string;
}

/** The OptiInfra processes on their own nats-server and databases. */
export interface OptiInfraSystem {
  readonly bus: Bus;
  readonly processes: readonly OiProcess[];
  /** The last lines each process logged, for an error message. */
  logs(chars?: number): string;
  stop(): Promise<void>;
}

/**
 * Agent settings for a lockstep replay (event time): an idle agent analyses once a minute and reads
 * its verdict two intervals after proposing (the arbitration window of 10 s closes on the tick in
 * between, a whole tick earlier); one not recorded yet is read at the next interval rather than
 * waited for, which would hold the partition's round and so the clock.
 */
function agentEnv(intervalMs: number): Record<string, string> {
  return {
    OI_HOST_ACTORS: 'cost,performance,resource,application',
    OI_AGENT_INTERVAL_MS: String(intervalMs),
    OI_AGENT_CADENCE_MS: String(Math.max(60_000, intervalMs)),
    OI_AGENT_DECISION_DELAY_MS: String(2 * intervalMs - 1),
    OI_AGENT_DECISION_WAIT_MS: '0',
    OI_ARBITRATION_CLOCK: 'lockstep',
    OI_ARBITRATION_WINDOW_MS: String(Math.min(10_000, intervalMs)),
    // no LLM: the explanations fall back to the template, the numbers are the analyzers' either way
    OI_LLM_API_KEY: '',
    OI_LLM_API_KEY_FILE: '',
  };
}

/**
 * Starts nats-server, a PostgreSQL and a ClickHouse database (testkit's servers), the supervisor,
 * `hosts` agent hosts and the cloud executor as real processes (`optiinfra serve …`), and waits
 * until the supervisor answers. Ingest and notify are not started: the replay needs neither.
 */
export async function startOptiInfraSystem(o: OptiInfraSystemOptions): Promise<OptiInfraSystem> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const processes: OiProcess[] = [];
  let bus: Bus | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await bus?.drain().catch(() => undefined);
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    const nats: NatsServerHandle = await startNats();
    started.push(nats);
    const pg: TestDatabase = await (await sharedPostgres()).createDatabase(o.name);
    started.push({ stop: () => pg.drop() });
    const chServer = await sharedClickHouse();
    const ch = await chServer.createDatabase(o.name);
    started.push({ stop: () => ch.drop() });
    const env: Record<string, string> = {
      OI_NATS_URL: nats.url,
      OI_NATS_USER: '',
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: chServer.url,
      OI_CLICKHOUSE_DB: ch.name,
      OI_PARTITIONS: String(o.partitions),
      // leases outlive a busy 2-core machine's pauses; nothing here is killed on purpose
      OI_LEASE_TTL_MS: '10000',
      OI_ACK_WAIT_MS: '30000',
      OI_LOG_LEVEL: o.logLevel ?? 'warn',
      ...agentEnv(o.intervalMs),
    };
    processes.push(startOiProcess('supervisor', env));
    bus = await connectBus({ servers: nats.url, name: `mission-${o.name}` });
    const b = bus;
    await check(
      () =>
        request(b.nc, subjects.cmd('workload', 'list'), listWorkloadsV1, {}, { source: 'mission' }).then(
          () => true,
          () => false
        ),
      120_000,
      { name: 'supervisor answering' }
    );
    for (let h = 0; h < o.hosts; h++) processes.push(startOiProcess('host', { ...env, OI_HOST_ID: `mission-h${h}` }));
    processes.push(startOiProcess('executor', env));
    const logs = (chars = 1_500): string =>
      processes.map((p) => `--- ${p.name} (pid ${p.pid})\n${p.getLog().slice(-chars)}`).join('\n');
    return { bus: b, processes, logs, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
