import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus } from '../../bus/index.js';
import { STREAMS } from '../../schemas/index.js';
import type { Logger } from '../../config/index.js';
import { serveCloudProvider, type CloudService } from './cloud-service.js';
import { serveFleetActions, type FleetActions } from './fleet-actions.js';
import type { FleetSim } from './fleet-sim.js';

export interface FleetServices {
  actions: FleetActions;
  cloud: CloudService;
  stop(): Promise<void>;
}

/**
 * What a simulated fleet serves on NATS besides its telemetry: the gpu-edge action protocol of
 * every node (`oi.v1.act.<node>.>`) and its cloud as `oi-sim-cloud` (`oi.v1.cmd.cloud.<verb>`,
 * events on `oi.v1.evt.cloud.<kind>.<workload>`), so executors in other processes drive it.
 */
export async function serveFleet(
  sim: FleetSim,
  o: { bus: Bus; partitions: number; logger?: Logger; streamWaitMs?: number }
): Promise<FleetServices> {
  // started next to the supervisor (optiinfra up), the fleet may come first: wait for its streams
  const deadline = Date.now() + (o.streamWaitMs ?? 60_000);
  for (const stream of [STREAMS.act, STREAMS.evt]) {
    for (;;) {
      try {
        await o.bus.jsm.streams.info(stream);
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`stream ${stream} is not there: the supervisor provisions the bus; start it first`, {
            cause: err,
          });
        }
        await sleep(500);
      }
    }
  }
  const source = `sim:${sim.spec.workload}`;
  const logger = o.logger ? { logger: o.logger } : {};
  const actions = await serveFleetActions({ bus: o.bus, sim, partitions: o.partitions, source, ...logger });
  let cloud: CloudService;
  try {
    cloud = await serveCloudProvider(o.bus, sim.cloudProvider(), {
      source,
      events: { workload: sim.spec.workload, eventTime: (t) => sim.eventTime(t) },
      ...logger,
    });
  } catch (err) {
    await actions.stop();
    throw err;
  }
  return {
    actions,
    cloud,
    async stop() {
      await actions.stop();
      await cloud.stop();
    },
  };
}
