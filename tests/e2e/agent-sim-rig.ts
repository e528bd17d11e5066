/**
 * A rig for agent end-to-end scenarios on the simulated fleet: the supervisor, an agent host and
 * the cloud executor run in-process over a real nats-server, PostgreSQL and ClickHouse; the fleet
 * serves the gpu-edge action protocol and its cloud on NATS and replays a trace on the lockstep
 * clock. Tests drive it one telemetry boundary at a time.
 */
import { connectBus, request, type Bus } from '../../bus/index.js';
import { loadConfig, silentLogger, type ProcessConfig } from '../../config/index.js';
import { runAgentHost, runExecutor, type AgentHostOptions } from '../../actors/index.js';
import { runSupervisor } from '../../supervisor/index.js';
import {
  decodeEnvelope,
  listWorkloadsV1,
  registerWorkloadV1,
  setWorkloadModeV1,
  subjects,
  type MessageDef,
  type WorkloadSpec,
} from '../../schemas/index.js';
import {
  FleetSim,
  FleetTelemetry,
  fleetBus,
  serveFleet,
  type FleetInterval,
  type FleetSpec,
  type SimRequest,
} from '../../sim/index.js';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  type NatsServerHandle,
  type TestDatabase,
} from '../../testkit/index.js';

export const PARTITIONS = 2;

/** Agent timing on event time: 10 s intervals, a run a minute, verdicts read 10 s after a proposal. */
export const AGENT_ENV = {
  OI_AGENT_INTERVAL_MS: '10000',
  OI_AGENT_CADENCE_MS: '60000',
  OI_AGENT_DECISION_DELAY_MS: '10000',
  OI_AGENT_DECISION_WAIT_MS: '5000',
  OI_AGENT_PROPOSAL_TTL_MS: '600000',
};

export interface Rig {
  bus: Bus;
  pg: TestDatabase;
  config: ProcessConfig;
  stop(): Promise<void>;
}

export interface RigOptions {
  /** Analyzers with other thresholds, by agent name. */
  analyzers?: AgentHostOptions['analyzers'];
  /** OI_ARBITRATION_WINDOW_MS (default 10 s). */
  arbitrationWindowMs?: number;
}

export async function startRig(name: string, hostActors: string[], o: RigOptions = {}): Promise<Rig> {
  const nats: NatsServerHandle = await startNats();
  const pg = await (await sharedPostgres()).createDatabase(name);
  const chServer = await sharedClickHouse();
  const ch = await chServer.createDatabase(name);
  const config = loadConfig({
    OI_NATS_URL: nats.url,
    OI_PG_URL: pg.url,
    OI_CLICKHOUSE_URL: chServer.url,
    OI_CLICKHOUSE_DB: ch.name,
    OI_PARTITIONS: String(PARTITIONS),
    OI_LEASE_TTL_MS: '3000',
    OI_ACK_WAIT_MS: '10000',
    OI_LOG_LEVEL: 'silent',
    OI_ARBITRATION_CLOCK: 'lockstep',
    OI_ARBITRATION_WINDOW_MS: String(o.arbitrationWindowMs ?? 10_000),
    OI_APPROVAL_TTL_MS: '86400000',
  });
  const supervisor = await runSupervisor(config, silentLogger);
  const bus = await connectBus({ servers: nats.url, name: `${name}-test` });
  await check(
    () =>
      request(bus.nc, subjects.cmd('workload', 'list'), listWorkloadsV1, {}, { source: 'test' }).then(
        () => true,
        () => false
      ),
    60_000,
    { name: 'supervisor answering' }
  );
  const host = await runAgentHost({ ...config, hostActors, hostId: `${name}-host` }, silentLogger, {
    env: AGENT_ENV,
    ...(o.analyzers ? { analyzers: o.analyzers } : {}),
  });
  const executor = await runExecutor(config, silentLogger);
  return {
    bus,
    pg,
    config,
    async stop() {
      await executor.stop();
      await host.stop();
      await supervisor.stop();
      await bus.drain();
      await pg.drop();
      await ch.drop();
      await nats.stop();
    },
  };
}

export async function registerWorkload(
  bus: Bus,
  workload: string,
  model: string,
  mode: WorkloadSpec['mode']
): Promise<void> {
  await request(
    bus.nc,
    subjects.cmd('workload', 'register'),
    registerWorkloadV1,
    { workload, name: workload, model, engine: 'sim', slo: { attainment: 0.99, ttft_p95_ms: 3000 } },
    { source: 'test' }
  );
  await request(
    bus.nc,
    subjects.cmd('workload', 'set-mode'),
    setWorkloadModeV1,
    { workload, mode },
    { source: 'test', caller: 'e2e-operator' }
  );
}

/** Collects the decoded payloads published on a subject (core subscription; JetStream stores them too). */
export function collect<T>(bus: Bus, subject: string, def: MessageDef | MessageDef[]): { items: T[]; stop(): void } {
  const items: T[] = [];
  const sub = bus.nc.subscribe(subject, {
    callback: (_e, m) => {
      const d = decodeEnvelope(m.data, Array.isArray(def) ? def : [def]);
      if (d.ok) items.push(d.envelope.data as T);
    },
  });
  return { items, stop: () => sub.unsubscribe() };
}

/** One node's engine figures of one telemetry interval, as its gpu-edge reports them. */
export interface EngineFigures {
  tSec: number;
  node: string;
  up: boolean;
  preemptions: number;
  ttftP99Ms: number | null;
  kvCapacityTokens: number | undefined;
}

/**
 * Replays `trace` on the fleet over NATS with the lockstep clock. `before` runs at each boundary
 * before its telemetry goes out (to publish more telemetry of that interval); `onInterval` runs
 * once the hosts processed the boundary; returning true ends the replay.
 */
export async function replay(
  rig: Rig,
  spec: FleetSpec,
  trace: readonly SimRequest[],
  onInterval: (i: FleetInterval, figures: EngineFigures[], sim: FleetSim) => Promise<boolean> | boolean,
  before?: (i: FleetInterval, at: Date) => Promise<void>
): Promise<{ figures: EngineFigures[]; sim: FleetSim }> {
  const sim = await FleetSim.create(spec);
  const services = await serveFleet(sim, { bus: rig.bus, partitions: PARTITIONS, logger: silentLogger });
  const carrier = fleetBus(spec, { bus: rig.bus, partitions: PARTITIONS, lockstep: true, ackTimeoutMs: 120_000 });
  // the test's own reading of the same /metrics, through the gpu-edge parser
  const telemetry = new FleetTelemetry(spec);
  const last = new Map<string, number>();
  const figures: EngineFigures[] = [];
  try {
    await sim
      .run(trace, async (i) => {
        if (before) await before(i, telemetry.stampOf(i));
        await carrier.onInterval(i);
        const now: EngineFigures[] = [];
        for (const m of telemetry.messages(i)) {
          if (m.source !== 'engine') continue;
          const e = m.data;
          if (!e.up) {
            now.push({
              tSec: i.tSec,
              node: e.node,
              up: false,
              preemptions: 0,
              ttftP99Ms: null,
              kvCapacityTokens: undefined,
            });
            continue;
          }
          const before = last.get(e.node);
          // a counter that went down means the engine restarted
          const preemptions =
            before === undefined
              ? 0
              : e.preemptions_total >= before
                ? e.preemptions_total - before
                : e.preemptions_total;
          last.set(e.node, e.preemptions_total);
          now.push({
            tSec: i.tSec,
            node: e.node,
            up: true,
            preemptions,
            ttftP99Ms: e.ttft_ms?.p99 ?? null,
            kvCapacityTokens: e.kv_capacity_tokens,
          });
        }
        figures.push(...now);
        if (await onInterval(i, now, sim)) throw new Done();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Done)) throw err;
      });
  } finally {
    carrier.close();
    await services.stop();
  }
  return { figures, sim };
}

class Done extends Error {}
