import { describe, expect, it } from 'vitest';
import { check, startNats } from '../../testkit/index.js';
import { connectBus, defaultTopology, provision, publish, type Bus } from '../../bus/index.js';
import {
  actionResultV1,
  actionV1,
  decodeEnvelope,
  noticeV1,
  subjects,
  type ActionRequest,
  type ActionResult,
  type Notice,
} from '../../schemas/index.js';
import { CloudErrorCode, isCloudError, type CloudEvent } from '../cloud/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace } from '../trace/index.js';
import { parseFleetSpec } from './fleet-spec.js';
import { FleetSim } from './fleet-sim.js';
import { serveFleetActions } from './fleet-actions.js';
import { serveFleet } from './fleet-services.js';
import { NatsCloudProvider } from './nats-cloud-provider.js';

const TYPE = 'aws:p5.4xlarge';
const spec = parseFleetSpec({
  workload: 'wl-act',
  seed: 3,
  telemetryIntervalSec: 10,
  replicas: [
    { node: 'n1', instanceType: TYPE, model: 'llama-3.1-8b', engine: { gpuMemoryUtilization: 0.8 } },
    { node: 'n2', instanceType: TYPE, model: 'llama-3.1-8b', engine: { gpuMemoryUtilization: 0.8 } },
  ],
});
const trace = [
  ...generateSyntheticTrace({ ...DEFAULT_SYNTHETIC_PARAMS, durationSec: 300, meanRatePerSec: 4, burstsPerHour: 0 }, 3),
];

/** Results and notices of the workload, as they arrive. */
function follow(bus: Bus): { results: ActionResult[]; notices: Notice[] } {
  const seen = { results: [] as ActionResult[], notices: [] as Notice[] };
  bus.nc.subscribe(`oi.v1.evt.*.*.${spec.workload}`, {
    callback: (_e, m) => {
      const d = decodeEnvelope(m.data, [actionResultV1, noticeV1]);
      if (!d.ok) return;
      if (d.def.id === actionResultV1.id) seen.results.push(d.envelope.data as ActionResult);
      else seen.notices.push(d.envelope.data as Notice);
    },
  });
  return seen;
}

const action = (over: Partial<ActionRequest>): ActionRequest => ({
  action_id: 'act-00000001',
  decision_id: 'dec-00000001',
  node: 'n1',
  workload: spec.workload,
  verb: 'engine.reconfigure',
  params: { changes: { 'gpu-memory-utilization': 0.9 } },
  epoch: 2,
  deadline: '2026-01-02T00:00:00Z',
  ...over,
});

const send = (bus: Bus, a: ActionRequest): Promise<unknown> =>
  publish(bus.js, subjects.act(a.node, a.verb), actionV1, a, { source: 'test-executor', id: `env-${a.action_id}` });

describe('sim/fleet over NATS', () => {
  it('serves engine actions for its nodes: a reconfigure lands at the boundary and publishes its result', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'sim-actions-test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
    const sim = await FleetSim.create(spec);
    const seen = follow(bus);
    const actions = await serveFleetActions({ bus, sim, partitions: 4 });
    try {
      expect(actions.nodes()).toEqual(['n1', 'n2']);
      const states: Array<[number, string]> = [];
      const kvBefore = sim.replicaDetails()[0]!.kvCapacityTokens;
      await sim.run(trace, async (i) => {
        states.push([i.tSec, i.replicas.find((r) => r.node === 'n1')!.state]);
        if (i.tSec !== 50) return;
        await send(bus, action({}));
        // the fleet is parked at 50 s: the action takes effect now, in event time
        await check(() => seen.results.length === 1, 10_000, { name: 'reconfigure result' });
      });
      const [r] = seen.results;
      expect(r).toMatchObject({ action_id: 'act-00000001', node: 'n1', status: 'succeeded' });
      expect(r!.metrics_after!.kv_capacity_tokens).toBeGreaterThan(r!.metrics_before!.kv_capacity_tokens!);
      const n1 = sim.replicaDetails().find((d) => d.node === 'n1')!;
      expect(n1.engineArgs.gpuMemoryUtilization).toBe(0.9);
      expect(n1.kvCapacityTokens).toBeGreaterThan(kvBefore);
      expect(states.find(([t]) => t === 60)![1]).toBe('restarting');
      expect(states.find(([t]) => t === 50)![1]).toBe('serving');

      // fencing, idempotency and a bad flag, with the fleet idle after the run
      await send(bus, action({ action_id: 'act-00000002', decision_id: 'dec-00000002', epoch: 1 }));
      await send(bus, action({ action_id: 'act-00000003', decision_id: 'dec-00000001' }));
      await send(
        bus,
        action({ action_id: 'act-00000004', decision_id: 'dec-00000004', params: { changes: { 'max-num-seqz': 8 } } })
      );
      await check(() => seen.results.length === 3 && seen.notices.length >= 1, 10_000, { name: 'later results' });
      const byId = new Map(seen.results.map((x) => [x.action_id, x]));
      expect(byId.get('act-00000002')).toMatchObject({ status: 'failed' });
      expect(byId.get('act-00000002')!.detail).toMatch(/refused: .*epoch/);
      expect(byId.get('act-00000004')!.detail).toMatch(/max-num-seqz/);
      expect(seen.notices.find((n) => n.event === 'action_duplicate')!.attrs.decision_id).toBe('dec-00000001');
      expect(actions.stats()).toMatchObject({ handled: 4, succeeded: 1, failed: 2, duplicates: 1 });
    } finally {
      await actions.stop();
    }
  }, 60_000);

  it('NatsCloudProvider drives the fleet cloud from another connection: launch, events, terminate, capacity error', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'sim-cloud-test' });
    await using client = await connectBus({ servers: nats.url, name: 'executor-test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
    const sim = await FleetSim.create(spec);
    // what `optiinfra sim` serves: the nodes' actions and the cloud
    const service = await serveFleet(sim, { bus, partitions: 4 });
    expect(service.actions.nodes()).toEqual(['n1', 'n2']);
    const cloud = new NatsCloudProvider(client.nc, { source: 'test-executor', workload: spec.workload });
    const events: CloudEvent[] = [];
    const off = cloud.onEvent((e) => events.push(e));
    try {
      const types = await cloud.listInstanceTypes();
      const p5 = types.find((t) => t.id === TYPE)!;
      const local = (await sim.cloud.listInstanceTypes()).find((t) => t.id === TYPE)!;
      expect(p5.prices.on_demand!.usdPerHour).toBe(local.prices.on_demand!.usdPerHour);

      const id = await cloud.launch(TYPE, 'on_demand', p5.zones[0]!);
      const replica = sim.replicaDetails().find((r) => r.instance.id === id)!;
      expect(replica.state).toBe('provisioning');
      // the launched replica gets its action consumer too
      await check(() => service.actions.nodes().includes(replica.node), 5_000, { name: 'consumer of the new node' });
      const [pending] = await cloud.describeInstances([id]);
      expect(pending).toMatchObject({ id, state: 'pending', instanceType: TYPE, purchaseOption: 'on_demand' });

      await sim.run(trace);
      await check(() => events.some((e) => e.kind === 'instance_running' && e.instanceId === id), 5_000, {
        name: 'instance_running event',
      });
      expect(events.find((e) => e.instanceId === id)!.atSec).toBeCloseTo(pending!.readyAtSec, 9);

      await cloud.terminate(id);
      const [gone] = await cloud.describeInstances([id]);
      expect(gone!.state).toBe('terminated');
      expect(gone!.terminatedAtSec).toBe(sim.cloud.nowSec);
      const costs = await cloud.costSoFar();
      expect(costs.byInstance[id]).toBeCloseTo((await sim.cloud.costSoFar()).byInstance[id]!, 12);
      expect(sim.replicas().some((r) => r.node === replica.node)).toBe(false);

      sim.cloud.setSpotCapacity(TYPE, p5.zones[0]!, 0);
      const err: unknown = await cloud.launch(TYPE, 'spot', p5.zones[0]!).catch((e: unknown) => e);
      expect(isCloudError(err, CloudErrorCode.capacityUnavailable)).toBe(true);
      expect((err as { retryable: boolean }).retryable).toBe(true);
      const unknown: unknown = await cloud.terminate('i-nope').catch((e: unknown) => e);
      expect(isCloudError(unknown, CloudErrorCode.unknownInstance)).toBe(true);
    } finally {
      off();
      await service.stop();
    }
  }, 60_000);
});
