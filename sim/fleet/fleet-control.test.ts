import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../gpu-edge/index.js';
import { CloudErrorCode, SIM_CLOUD_ASSUMPTIONS, billedSeconds, isCloudError, usdFor } from '../cloud/index.js';
import { BLOCK_SIZE_TOKENS } from '../catalog/index.js';
import { resolveEngineConfig } from '../engine/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace, type SimRequest } from '../trace/index.js';
import { parseFleetSpec, type FleetSpecInput } from './fleet-spec.js';
import { FleetSim, type FleetInterval } from './fleet-sim.js';
import { ENGINE_RESTART_OVERHEAD_SEC } from './engine-args.js';

const TYPE = 'aws:p5.4xlarge';
const MODEL = 'llama-3.1-8b';

const spec = (over: Partial<FleetSpecInput> = {}): FleetSpecInput => ({
  workload: 'wl-ctl',
  seed: 5,
  telemetryIntervalSec: 10,
  replicas: [
    { node: 'n1', instanceType: TYPE, model: MODEL, engine: { gpuMemoryUtilization: 0.8 } },
    { node: 'n2', instanceType: TYPE, model: MODEL, engine: { gpuMemoryUtilization: 0.8 } },
  ],
  ...over,
});

const trace = (seed: number, durationSec: number, rate: number): SimRequest[] => [
  ...generateSyntheticTrace({ ...DEFAULT_SYNTHETIC_PARAMS, durationSec, meanRatePerSec: rate, burstsPerHour: 0 }, seed),
];

const gaugeOf = (text: string, name: string): number =>
  parsePrometheusText(text)
    .samples.filter((s) => s.name === name)
    .reduce((a, s) => a + s.value, 0);

const kvCapacityTokensOf = (text: string): number => {
  const info = parsePrometheusText(text).samples.find((s) => s.name === 'vllm:cache_config_info')!;
  return Number(info.labels.num_gpu_blocks) * Number(info.labels.block_size);
};

describe('sim/fleet FleetSim control', { timeout: 60_000 }, () => {
  it('a launched replica serves only once the cloud has provisioned it, after the delay it quotes', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec({ replicas: [spec().replicas[0]!] })));
    const t = trace(1, 600, 6);
    const routedTo: Array<{ tSec: number; routed: number; state: string | undefined }> = [];
    let launchedAt = 0;
    await sim.run(t, async (i) => {
      if (i.tSec === 30) {
        expect(await sim.launchReplica({ instanceType: TYPE, purchaseOption: 'on_demand', node: 'new' })).toBe('new');
        launchedAt = i.tSec;
      }
      routedTo.push({
        tSec: i.tSec,
        routed: sim.router.stats().byReplica.new ?? 0,
        state: i.replicas.find((r) => r.node === 'new')?.state,
      });
    });
    const inst = (await sim.cloud.describeInstances()).find((d) => d.launchedAtSec === launchedAt)!;
    // the cloud's quote: node start + weights / disk bandwidth (sim-cloud-assumptions.ts)
    const weights = resolveEngineConfig({ model: MODEL, gpu: 'H100-SXM', gpuMemoryUtilization: 0.8 }).memory
      .weightsBytesPerGpu;
    const quoted = SIM_CLOUD_ASSUMPTIONS.nodeStartSec.value + weights / SIM_CLOUD_ASSUMPTIONS.diskBytesPerSec.value;
    expect(inst.readyAtSec - inst.launchedAtSec).toBeCloseTo(quoted, 9);
    const before = routedTo.filter((r) => r.tSec > launchedAt && r.tSec < inst.readyAtSec);
    const after = routedTo.filter((r) => r.tSec >= inst.readyAtSec + 10);
    expect(before.length).toBeGreaterThan(10);
    expect(before.every((r) => r.routed === 0 && r.state === 'provisioning')).toBe(true);
    expect(after.every((r) => r.state === 'serving')).toBe(true);
    expect(after.at(-1)!.routed).toBeGreaterThan(0);
  });

  it('a retired replica drains (no request lost or retried) and its billing stops at termination', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    const t = trace(2, 300, 10);
    let inFlightAtRetire = -1;
    const seen: FleetInterval[] = [];
    const summary = await sim.run(t, async (i) => {
      seen.push(i);
      if (i.tSec === 100) {
        inFlightAtRetire = sim.router.inFlight('n2').length;
        await sim.retireReplica('n2');
        expect(sim.replicas().find((r) => r.node === 'n2')?.state).toBe('draining');
      }
    });
    expect(inFlightAtRetire).toBeGreaterThan(0);
    expect(summary.requestsDone).toBe(t.length);
    expect(summary.dropped).toBe(0);
    expect(summary.retries).toBe(0);
    const [, n2] = await sim.cloud.describeInstances();
    expect(n2!.state).toBe('terminated');
    expect(n2!.terminatedAtSec!).toBeGreaterThan(100);
    expect(n2!.terminatedAtSec!).toBeLessThan(summary.simSec - 60);
    const price = sim.cloud.priceTable().find((r) => r.instanceType === TYPE && r.purchaseOption === 'on_demand')!;
    const billed = billedSeconds(n2!.billingStartSec, n2!.terminatedAtSec!, true, 60);
    expect((await sim.cloud.costSoFar()).byInstance[n2!.id]).toBeCloseTo(usdFor(price.usdPerHour, billed), 9);
    // reported once as terminated, then gone from the fleet
    expect(seen.filter((i) => i.replicas.some((r) => r.node === 'n2' && r.state === 'terminated'))).toHaveLength(1);
    expect(seen.at(-1)!.replicas.map((r) => r.node)).toEqual(['n1']);
  });

  it('a reconfigure restarts the engine with the new flags; in-flight requests are retried elsewhere', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    const t = trace(3, 300, 10);
    const capacity: number[] = [];
    const states: Array<[number, string]> = [];
    const summary = await sim.run(t, async (i) => {
      const n1 = i.replicas.find((r) => r.node === 'n1')!;
      states.push([i.tSec, n1.state]);
      if (n1.metricsText) capacity.push(kvCapacityTokensOf(n1.metricsText));
      if (i.tSec === 100) {
        expect(gaugeOf(n1.metricsText!, 'vllm:num_requests_running')).toBeGreaterThan(0);
        await sim.reconfigureReplica('n1', { 'gpu-memory-utilization': 0.9, 'max-num-seqs': 128 });
      }
    });
    // KV capacity from the catalog's memory plan at each utilisation (sim/catalog/memory-plan.ts)
    const plan = (u: number): number =>
      resolveEngineConfig({ model: MODEL, gpu: 'H100-SXM', gpuMemoryUtilization: u, maxNumSeqs: 128 }).memory
        .numGpuBlocks * BLOCK_SIZE_TOKENS;
    expect(capacity[0]).toBe(
      resolveEngineConfig({ model: MODEL, gpu: 'H100-SXM', gpuMemoryUtilization: 0.8 }).memory.kvCapacityTokens
    );
    expect(capacity.at(-1)).toBe(plan(0.9));
    expect(capacity.at(-1)!).toBeGreaterThan(capacity[0]!);
    const down = states.filter(([, s]) => s === 'restarting').map(([tSec]) => tSec);
    // down from 100 s for the restart overhead plus the weight copy (well under one more interval)
    expect(down[0]).toBe(110);
    expect(down.at(-1)! + 10).toBeGreaterThanOrEqual(100 + ENGINE_RESTART_OVERHEAD_SEC);
    expect(down.at(-1)!).toBeLessThan(100 + ENGINE_RESTART_OVERHEAD_SEC + 10);
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.requestsDone).toBe(t.length);
    expect(sim.replicaDetails().find((r) => r.node === 'n1')!.engineArgs).toMatchObject({
      gpuMemoryUtilization: 0.9,
      maxNumSeqs: 128,
    });
  });

  it('refuses an unknown engine flag, naming it, before touching the engine', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    await expect(sim.reconfigureReplica('n1', { 'max-num-seqz': 64 })).rejects.toThrow(/max-num-seqz.*known_flag/);
    await expect(sim.reconfigureReplica('n1', { 'gpu-memory-utilization': 1.5 })).rejects.toThrow(
      /gpu-memory-utilization/
    );
    await expect(sim.reconfigureReplica('nope', { 'max-num-seqs': 64 })).rejects.toThrow(/no replica nope/);
    expect(sim.replicaDetails().map((r) => r.state)).toEqual(['serving', 'serving']);
  });

  it('a spot launch without capacity is refused with the cloud error; the fleet is unchanged', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    const zone = (await sim.cloud.listInstanceTypes()).find((t) => t.id === TYPE)!.zones[0]!;
    sim.cloud.setSpotCapacity(TYPE, zone, 0);
    const err: unknown = await sim
      .launchReplica({ instanceType: TYPE, purchaseOption: 'spot' })
      .catch((e: unknown) => e);
    expect(isCloudError(err, CloudErrorCode.capacityUnavailable)).toBe(true);
    expect(sim.replicas().map((r) => r.node)).toEqual(['n1', 'n2']);
    // on-demand still launches; the generated name was not consumed by the refusal
    expect(await sim.launchReplica({ instanceType: TYPE, purchaseOption: 'on_demand' })).toBe('replica-1');
    expect(sim.replicas().map((r) => [r.node, r.purchaseOption, r.state])).toContainEqual([
      'replica-1',
      'on_demand',
      'provisioning',
    ]);
  });

  it('routing weights follow setRouting; an unknown node is refused', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    expect(() => sim.setRouting('weighted', { n9: 1 })).toThrow(/weights\.n9/);
    sim.setRouting('weighted', { n1: 1, n2: 0 });
    const s = await sim.run(trace(4, 60, 5));
    expect(s.requestsDone).toBeGreaterThan(100);
    expect(sim.router.stats().byReplica.n2 ?? 0).toBe(0);
  });

  it('a call made while the loop runs between boundaries takes effect at the next boundary', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    const t = trace(7, 120, 5);
    let calledAt = -1;
    let stateRightAfter: string | undefined;
    let retired: Promise<void> | undefined;
    async function* source(): AsyncGenerator<SimRequest> {
      for (const r of t) {
        if (r.arrivalSec > 55 && !retired) {
          // as another process's action would: not inside onInterval
          calledAt = sim.nowSec;
          retired = sim.retireReplica('n2');
          stateRightAfter = sim.replicas().find((x) => x.node === 'n2')?.state;
        }
        yield await Promise.resolve(r);
      }
    }
    const states = new Map<number, string | undefined>();
    const summary = await sim.run(source(), (i) => {
      states.set(i.tSec, i.replicas.find((r) => r.node === 'n2')?.state);
    });
    await retired;
    expect(calledAt).toBeGreaterThan(50);
    expect(calledAt).toBeLessThan(60);
    expect(stateRightAfter).toBe('serving');
    expect(states.get(50)).toBe('serving');
    expect(['draining', 'terminated']).toContain(states.get(60));
    expect(summary.requestsDone).toBe(t.length);
  });

  it('the same seed and the same policy calls give the same run', async () => {
    const once = async (): Promise<unknown> => {
      const sim = await FleetSim.create(parseFleetSpec(spec({ cloud: { spotInterruptionsPerHour: 2 } })));
      const states: unknown[] = [];
      const summary = await sim.run(trace(6, 400, 8), async (i) => {
        states.push(i.replicas.map((r) => [r.node, r.state, r.billedSec, r.metricsText]));
        if (i.tSec === 20) await sim.launchReplica({ instanceType: TYPE, purchaseOption: 'spot' });
        if (i.tSec === 120) await sim.reconfigureReplica('n1', { 'max-num-seqs': 64 });
        if (i.tSec === 250) await sim.retireReplica('n2');
      });
      return { summary, states };
    };
    const a = await once();
    expect(await once()).toEqual(a);
  });
});
