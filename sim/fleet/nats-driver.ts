import { setTimeout as sleep } from 'node:timers/promises';
import type { Subscription } from '@nats-io/nats-core';
import { encodeEnvelope, makeEnvelope, publish, type Bus } from '../../bus/index.js';
import {
  clockAckV1,
  clockTickV1,
  costTelemetryV1,
  decodeEnvelope,
  engineTelemetryV1,
  gpuTelemetryV1,
  subjects,
  type DataOf,
} from '../../schemas/index.js';
import type { FleetSpec } from './fleet-spec.js';
import type { FleetInterval } from './fleet-sim.js';
import { FleetTelemetry } from './fleet-telemetry.js';

export interface FleetBusOptions {
  bus: Bus;
  /** OI_PARTITIONS: a tick is complete once acks cover every partition. */
  partitions: number;
  /** Wait at every boundary until the actor hosts processed everything stamped before it. */
  lockstep: boolean;
  /** How long one tick may wait for its acks before the run fails. */
  ackTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface FleetBus {
  onInterval(i: FleetInterval): Promise<void>;
  stats(): { published: number; ticks: number; waitedMs: number };
  close(): void;
}

/**
 * Carries a fleet run over NATS as real gpu-edges would: at each boundary, per node, one
 * `oi.v1.tel.gpu`, one `oi.v1.tel.engine` and one `oi.v1.tel.cost` message stamped with event time (the engine's
 * /metrics parsed by the gpu-edge parser, so the numbers take the production path). With
 * lockstep, tick t follows and the run waits for the hosts' acks (DESIGN.md "Time"). Envelope
 * ids derive from the seed, so a replay publishes the same messages.
 */
export function fleetBus(spec: FleetSpec, o: FleetBusOptions): FleetBus {
  const start = Date.parse(spec.start);
  const telemetry = new FleetTelemetry(spec);
  const source = `sim:${spec.workload}`;
  let published = 0;
  let ticks = 0;
  let waitedMs = 0;
  const acked = new Map<number, Set<number>>();
  let sub: Subscription | undefined;
  if (o.lockstep) {
    sub = o.bus.nc.subscribe(subjects.clockAck, {
      callback: (_e, m) => {
        const d = decodeEnvelope(m.data, [clockAckV1]);
        if (!d.ok) return;
        const a = d.envelope.data as DataOf<typeof clockAckV1>;
        const set = acked.get(a.seq) ?? new Set<number>();
        for (const p of a.partitions) set.add(p);
        acked.set(a.seq, set);
      },
    });
  }
  const id = (kind: string, node: string, tSec: number): string =>
    `sim-${spec.workload}-${spec.seed}-${kind}-${node}-${Math.round(tSec * 1000)}`;

  return {
    async onInterval(i) {
      const at = telemetry.stampOf(i);
      const opts = (m: { source: string; node: string }) => ({ source, ts: at, id: id(m.source, m.node, i.tSec) });
      const sends = telemetry.messages(i).map((m) => {
        const subject = subjects.tel(m.source, spec.workload, m.node);
        switch (m.source) {
          case 'gpu':
            return publish(o.bus.js, subject, gpuTelemetryV1, m.data, opts(m));
          case 'engine':
            return publish(o.bus.js, subject, engineTelemetryV1, m.data, opts(m));
          case 'cost':
            return publish(o.bus.js, subject, costTelemetryV1, m.data, opts(m));
        }
      });
      await Promise.all(sends);
      published += sends.length;
      if (!o.lockstep) return;
      const seq = ++ticks;
      const tick = makeEnvelope(
        clockTickV1,
        { seq, t: new Date(start + i.tSec * 1000).toISOString() },
        { source, id: id('tick', 'all', i.tSec) }
      );
      const t0 = Date.now();
      const deadline = t0 + (o.ackTimeoutMs ?? 120_000);
      let warned = false;
      let nextSend = 0;
      // re-sent until acks cover every partition: a host that took a partition meanwhile acks too
      while ((acked.get(seq)?.size ?? 0) < o.partitions) {
        if (Date.now() > deadline) {
          throw new Error(
            `tick ${seq}: acks cover ${acked.get(seq)?.size ?? 0} of ${o.partitions} partitions after ` +
              `${o.ackTimeoutMs ?? 120_000} ms; are actor hosts running (optiinfra status)?`
          );
        }
        if (Date.now() >= nextSend) {
          o.bus.nc.publish(subjects.clockTick, encodeEnvelope(tick));
          nextSend = Date.now() + 1_000;
        }
        await sleep(2);
        if (!warned && Date.now() - t0 > 5_000) {
          warned = true;
          o.log?.(`tick ${seq}: waiting for actor hosts to cover all ${o.partitions} partitions…`);
        }
      }
      acked.delete(seq);
      waitedMs += Date.now() - t0;
    },
    stats: () => ({ published, ticks, waitedMs }),
    close: () => sub?.unsubscribe(),
  };
}
