import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, request, type Bus } from '../../bus/index.js';
import {
  approveDecisionV1,
  decodeEnvelope,
  KV_BUCKETS,
  listWorkloadsV1,
  noticeV1,
  partitionOf,
  proposalV1,
  registerWorkloadV1,
  setWorkloadModeV1,
  subjects,
  type Notice,
  type Proposal,
} from '../../schemas/index.js';
import {
  FleetSim,
  fleetBus,
  generateSyntheticTrace,
  DEFAULT_SYNTHETIC_PARAMS,
  parseFleetSpec,
  serveCloudProvider,
} from '../../sim/index.js';
import { partitionKey } from '../../supervisor/index.js';
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

const P = 2;
const WORKLOAD = 'wl-agent-ko';

/**
 * The cost agent of an over-provisioned workload (4 × H100 at ~4 req/s) proposes; the workload is
 * advisory, so its graph waits for an operator. The host running it is SIGKILLed while it waits;
 * the partition moves, the operator approves, and the other host's agent — resuming the graph
 * from its PostgreSQL checkpoint — reads the verdict, verifies and reports the outcome.
 */
describe('an agent waiting for its decision survives kill -9 of its host', () => {
  let nats: NatsServerHandle;
  let pg: TestDatabase;
  let ch: TestDatabase;
  let bus: Bus;
  const hosts = new Map<string, OiProcess>();
  let supervisor: OiProcess;

  beforeAll(async () => {
    nats = await startNats();
    pg = await (await sharedPostgres()).createDatabase('agent_ko');
    const chServer = await sharedClickHouse();
    ch = await chServer.createDatabase('agent_ko');
    const env = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: chServer.url,
      OI_CLICKHOUSE_DB: ch.name,
      OI_PARTITIONS: String(P),
      OI_LEASE_TTL_MS: '1500',
      OI_ACK_WAIT_MS: '6000',
      OI_LOG_LEVEL: 'warn',
      OI_ARBITRATION_CLOCK: 'lockstep',
      OI_ARBITRATION_WINDOW_MS: '10000',
      OI_APPROVAL_TTL_MS: '86400000',
      OI_HOST_ACTORS: 'cost',
      OI_AGENT_INTERVAL_MS: '10000',
      OI_AGENT_CADENCE_MS: '60000',
      OI_AGENT_DECISION_DELAY_MS: '10000',
      OI_AGENT_DECISION_WAIT_MS: '5000',
      OI_AGENT_PROPOSAL_TTL_MS: '86400000',
    };
    supervisor = startOiProcess('supervisor', env);
    bus = await connectBus({ servers: nats.url, name: 'agent-ko-test' });
    await check(
      () =>
        request(bus.nc, subjects.cmd('workload', 'list'), listWorkloadsV1, {}, { source: 'test' }).then(
          () => true,
          () => false
        ),
      60_000,
      { name: 'supervisor answering' }
    );
    for (const id of ['ko-a', 'ko-b']) hosts.set(id, startOiProcess('host', { ...env, OI_HOST_ID: id }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...hosts.values(), supervisor].map((p) => p?.stop(3_000)));
    await bus?.drain();
    await pg?.drop();
    await ch?.drop();
    await nats?.stop();
  });

  it('the surviving host finishes the episode the killed one started', async () => {
    await request(
      bus.nc,
      subjects.cmd('workload', 'register'),
      registerWorkloadV1,
      {
        workload: WORKLOAD,
        name: WORKLOAD,
        model: 'llama-3.1-8b',
        engine: 'sim',
        slo: { attainment: 0.99, ttft_p95_ms: 3000 },
      },
      { source: 'test' }
    );
    await request(
      bus.nc,
      subjects.cmd('workload', 'set-mode'),
      setWorkloadModeV1,
      { workload: WORKLOAD, mode: 'advisory' },
      {
        source: 'test',
        caller: 'alice',
      }
    );
    const spec = parseFleetSpec({
      workload: WORKLOAD,
      seed: 3,
      telemetryIntervalSec: 10,
      replicas: Array.from({ length: 4 }, (_, i) => ({
        node: `ko${i}`,
        instanceType: 'aws:p5.4xlarge',
        model: 'llama-3.1-8b',
        engine: { maxModelLen: 16_384 },
      })),
    });
    const trace = [
      ...generateSyntheticTrace(
        { ...DEFAULT_SYNTHETIC_PARAMS, durationSec: 3_600, meanRatePerSec: 4, burstsPerHour: 0, diurnalAmplitude: 0 },
        3
      ),
    ];
    const sim = await FleetSim.create(spec);
    const cloud = await serveCloudProvider(bus, sim.cloudProvider());
    const proposals: Proposal[] = [];
    const outcomes: Notice[] = [];
    const recSub = bus.nc.subscribe(subjects.rec('cost', WORKLOAD), {
      callback: (_e, m) => {
        const d = decodeEnvelope(m.data, [proposalV1]);
        if (d.ok) proposals.push(d.envelope.data as Proposal);
      },
    });
    const evtSub = bus.nc.subscribe(subjects.evt('agent', 'outcome', WORKLOAD), {
      callback: (_e, m) => {
        const d = decodeEnvelope(m.data, [noticeV1]);
        if (d.ok) outcomes.push(d.envelope.data as Notice);
      },
    });
    const leases = await bus.kvm.open(KV_BUCKETS.leases);
    const owner = async (): Promise<string | undefined> => {
      const e = await leases.get(partitionKey(partitionOf(WORKLOAD, P)));
      return e?.value.length ? (e.json<{ holder: string }>().holder ?? undefined) : undefined;
    };
    const carrier = fleetBus(spec, { bus, partitions: P, lockstep: true, ackTimeoutMs: 120_000 });
    let killed: string | undefined;
    let approved = false;
    const run = sim.run(trace, async (i) => {
      await carrier.onInterval(i);
      const p = proposals[0];
      if (p && !killed) {
        killed = await owner();
        if (killed) hosts.get(killed)!.signal('SIGKILL');
      } else if (p && killed && !approved) {
        const now = await owner();
        if (now && now !== killed) {
          await request(
            bus.nc,
            subjects.cmd('decision', 'approve'),
            approveDecisionV1,
            { proposal_id: p.proposal_id },
            {
              source: 'test',
              caller: 'alice',
            }
          );
          approved = true;
        }
      }
      if (outcomes.length) throw new Done();
    });
    await run.catch((err: unknown) => {
      if (!(err instanceof Done)) throw err;
    });
    carrier.close();
    recSub.unsubscribe();
    evtSub.unsubscribe();
    await cloud.stop();
    const logs = [...hosts.values()].map((h) => `--- ${h.name}\n${h.getLog().slice(-2_000)}`).join('\n');
    expect(proposals.length, logs).toBeGreaterThan(0);
    expect(killed, 'the owner of the workload partition was killed').toBeDefined();
    expect(approved).toBe(true);
    const [o] = outcomes;
    expect(o, logs).toBeDefined();
    expect(o!.attrs.proposal_id).toBe(proposals[0]!.proposal_id);
    expect(o!.attrs.verdict).toBe('approved');
    // one episode: the survivor resumed it rather than proposing again
    expect(new Set(proposals.map((p) => p.proposal_id)).size).toBe(1);
  }, 600_000);
});

class Done extends Error {}
