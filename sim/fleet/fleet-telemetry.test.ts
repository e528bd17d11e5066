import { describe, expect, it } from 'vitest';
import { checkData, costTelemetryV1, engineTelemetryV1, gpuTelemetryV1, type MessageDef } from '../../schemas/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace } from '../trace/index.js';
import { parseFleetSpec } from './fleet-spec.js';
import { FleetSim } from './fleet-sim.js';
import { FleetTelemetry, type FleetTelemetryMessage } from './fleet-telemetry.js';

const TYPE = 'aws:p5.4xlarge';

describe('sim/fleet FleetTelemetry', () => {
  it('publishes a cost sample per billed instance; their sum is what the cloud bills from second 0', async () => {
    const spec = parseFleetSpec({
      workload: 'wl-cost',
      seed: 9,
      telemetryIntervalSec: 10,
      replicas: [
        { node: 'n1', instanceType: TYPE, model: 'llama-3.1-8b' },
        { node: 'n2', instanceType: TYPE, model: 'llama-3.1-8b' },
      ],
    });
    const trace = [
      ...generateSyntheticTrace(
        { ...DEFAULT_SYNTHETIC_PARAMS, durationSec: 400, meanRatePerSec: 4, burstsPerHour: 0 },
        9
      ),
    ];
    const sim = await FleetSim.create(spec);
    const telemetry = new FleetTelemetry(spec);
    const messages: Array<{ tSec: number; state: string | undefined; m: FleetTelemetryMessage }> = [];
    const summary = await sim.run(trace, async (i) => {
      for (const m of telemetry.messages(i)) {
        messages.push({ tSec: i.tSec, state: i.replicas.find((r) => r.node === m.node)?.state, m });
      }
      if (i.tSec === 50) await sim.launchReplica({ instanceType: TYPE, purchaseOption: 'spot', node: 'n3' });
      if (i.tSec === 150) await sim.retireReplica('n2');
    });
    for (const { m } of messages) {
      const def: MessageDef = { gpu: gpuTelemetryV1, engine: engineTelemetryV1, cost: costTelemetryV1 }[m.source];
      expect(() => checkData(def, m.data)).not.toThrow();
    }
    // a node still provisioning has no edge yet: cost only, once it booted (billing starts at boot)
    const provisioning = messages.filter((x) => x.m.node === 'n3' && x.state === 'provisioning');
    expect(provisioning.length).toBeGreaterThanOrEqual(1);
    expect(new Set(provisioning.map((x) => x.m.source))).toEqual(new Set(['cost']));
    const n3Ready = (await sim.cloud.describeInstances()).find((d) => d.purchaseOption === 'spot')!.readyAtSec;
    const n3Edge = messages.filter((x) => x.m.node === 'n3' && x.m.source !== 'cost').map((x) => x.tSec);
    expect(Math.min(...n3Edge)).toBeGreaterThanOrEqual(n3Ready);
    const usd = new Map<string, number>();
    for (const { m } of messages) {
      if (m.source !== 'cost') continue;
      usd.set(
        m.data.instance_id,
        (usd.get(m.data.instance_id) ?? 0) + (m.data.usd_per_hour * m.data.interval_s) / 3600
      );
    }
    const price = sim.cloud.priceTable().filter((r) => r.instanceType === TYPE);
    const instances = await sim.cloud.describeInstances();
    expect(instances).toHaveLength(3);
    for (const d of instances) {
      const rate = price.find((r) => r.purchaseOption === d.purchaseOption)!.usdPerHour;
      const end = d.terminatedAtSec ?? summary.simSec;
      // cost telemetry starts at second 0; the 60 s minimum and whole-second rounding are billing's
      expect(usd.get(d.id)).toBeCloseTo((rate * (end - Math.max(0, d.billingStartSec))) / 3600, 9);
    }
    const n3 = messages.find((x) => x.m.source === 'cost' && x.m.node === 'n3')!.m.data;
    expect(n3).toMatchObject({ instance_type: 'p5.4xlarge', provider: 'aws', purchase_option: 'spot', gpu_count: 1 });
  }, 60_000);
});
