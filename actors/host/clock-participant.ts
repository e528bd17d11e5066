import { setTimeout as sleep } from 'node:timers/promises';
import { clockAckV1, clockTickV1, decodeEnvelope, STREAMS, subjects } from '../../schemas/index.js';
import { encodeEnvelope, makeEnvelope, telConsumerName, type Bus } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';
import type { PartitionWorker } from './partition-worker.js';

/**
 * Lockstep clock (DESIGN.md "Time"): the simulator publishes every message stamped before t,
 * then tick t; a host acknowledges t once its partitions' consumers have nothing pending or
 * unacknowledged and no round is running, i.e. every message stamped before t is processed.
 */
export function joinClock(
  bus: Bus,
  opts: { hostId: string; workers: () => PartitionWorker[]; logger: Logger; pollMs?: number }
): { stop(): void } {
  const sub = bus.nc.subscribe(subjects.clockTick);
  const drained = async (): Promise<boolean> => {
    for (const w of opts.workers()) {
      if (!w.idle) return false;
      const info = await bus.jsm.consumers.info(STREAMS.tel, telConsumerName(w.partition));
      if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
    }
    return true;
  };
  void (async () => {
    for await (const m of sub) {
      const d = decodeEnvelope(m.data, [clockTickV1]);
      if (!d.ok) {
        opts.logger.warn({ reason: d.error.reason }, 'ignored an invalid clock tick');
        continue;
      }
      const tick = d.envelope.data as { seq: number; t: string };
      while (!(await drained().catch(() => false))) await sleep(opts.pollMs ?? 10);
      const workers = opts.workers();
      const ack = makeEnvelope(
        clockAckV1,
        {
          seq: tick.seq,
          t: tick.t,
          host: opts.hostId,
          partitions: workers.map((w) => w.partition).sort((a, b) => a - b),
          processed: workers.reduce((n, w) => n + w.stats.processed, 0),
        },
        { source: opts.hostId, corr: d.envelope.id }
      );
      bus.nc.publish(subjects.clockAck, encodeEnvelope(ack));
    }
  })();
  return { stop: () => sub.unsubscribe() };
}
