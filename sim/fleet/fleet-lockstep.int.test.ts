import { describe, expect, it } from 'vitest';
import { DeliverPolicy } from '@nats-io/jetstream';
import { startNats } from '../../testkit/index.js';
import { connectBus, defaultTopology, provision } from '../../bus/index.js';
import { appTelemetryV1, costTelemetryV1, engineTelemetryV1, gpuTelemetryV1, STREAMS } from '../../schemas/index.js';
import { startPlacement } from '../../supervisor/index.js';
import { MemorySnapshotStore, probeLogic, startActorHost, workloadRouter } from '../../actors/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace } from '../trace/index.js';
import { parseFleetSpec } from './fleet-spec.js';
import { FleetSim } from './fleet-sim.js';
import { fleetBus } from './nats-driver.js';

const P = 4;
const spec = parseFleetSpec({
  workload: 'wl-lockstep',
  seed: 11,
  telemetryIntervalSec: 10,
  replicas: [
    { node: 'n1', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
    { node: 'n2', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
  ],
});
const trace = [...generateSyntheticTrace({ ...DEFAULT_SYNTHETIC_PARAMS, durationSec: 120, meanRatePerSec: 5 }, 11)];

interface Replay {
  summary: unknown;
  stored: Array<{ subject: string; id: string; data: unknown }>;
  ticks: number;
}

/** One replay over a fresh nats-server with an actor host taking part in the lockstep clock. */
async function replay(): Promise<Replay> {
  await using nats = await startNats();
  await using bus = await connectBus({ servers: nats.url, name: 'sim-test' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P }));
  const placement = await startPlacement({ bus, partitions: P, leaseTtlMs: 5_000, candidate: 'sup-test' });
  const host = await startActorHost({
    bus,
    store: new MemorySnapshotStore(),
    logics: [probeLogic],
    router: workloadRouter(['probe']),
    accept: [gpuTelemetryV1, engineTelemetryV1, appTelemetryV1, costTelemetryV1],
    hostId: 'sim-test-host',
    leaseTtlMs: 5_000,
  });
  try {
    const carrier = fleetBus(spec, { bus, partitions: P, lockstep: true, ackTimeoutMs: 30_000 });
    const sim = await FleetSim.create(spec);
    const summary = await sim.run(trace, (i) => carrier.onInterval(i));
    carrier.close();
    const total = (await bus.jsm.streams.info(STREAMS.tel)).state.messages;
    // when the host acked the last tick, every message had its effect stored
    const effects = new Set<string>();
    const rec = await bus.js.consumers.get(STREAMS.rec, {
      filter_subjects: ['oi.v1.rec.probe.>'],
      deliver_policy: DeliverPolicy.All,
    });
    const recTotal = (await bus.jsm.streams.info(STREAMS.rec)).state.messages;
    for await (const m of await rec.fetch({ max_messages: recTotal, expires: 2_000 })) {
      effects.add(m.json<{ data: { message_id: string } }>().data.message_id);
    }
    expect(effects.size).toBe(total);
    const c = await bus.js.consumers.get(STREAMS.tel, { deliver_policy: DeliverPolicy.All });
    const stored: Replay['stored'] = [];
    for await (const m of await c.fetch({ max_messages: total, expires: 2_000 })) {
      const e = m.json<{ id: string; data: unknown }>();
      stored.push({ subject: m.subject, id: e.id, data: e.data });
    }
    expect(stored).toHaveLength(total);
    return { summary, stored, ticks: carrier.stats().ticks };
  } finally {
    await host.stop();
    await placement.stop();
  }
}

describe('sim/fleet over NATS with the lockstep clock', () => {
  it('the same seed publishes the same telemetry and gives the same results twice', async () => {
    const a = await replay();
    const b = await replay();
    expect(a.ticks).toBeGreaterThan(10);
    expect(a.stored.length).toBeGreaterThan(2 * a.ticks);
    expect(b.summary).toEqual(a.summary);
    expect(b.stored).toEqual(a.stored);
    const engine = a.stored
      .filter((s) => s.subject.includes('.engine.'))
      .map((s) => s.data as { up: boolean; requests_running: number });
    expect(engine.every((e) => e.up)).toBe(true);
    expect(engine.some((e) => e.requests_running > 0)).toBe(true);
    // one cost sample per node per tick, at the catalog price
    const cost = a.stored.filter((s) => s.subject.includes('.cost.')).map((s) => s.data as { usd_per_hour: number });
    expect(cost).toHaveLength(2 * a.ticks);
    expect(new Set(cost.map((c) => c.usd_per_hour)).size).toBe(1);
  }, 120_000);
});
