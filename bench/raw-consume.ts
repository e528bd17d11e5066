import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { DEFAULT_HOST_BATCH, type Bus } from '../bus/index.js';
import { STREAMS, subjects } from '../schemas/index.js';
import { selfCpuMs } from './machine.js';

export interface ConsumeFigures {
  messages: number;
  cpuMs: number;
  wallMs: number;
}

/**
 * The floor under any host: per partition, a fresh durable consumer shaped like the host's
 * (same filter, max_ack_pending = one batch) that fetches a batch and acks each message,
 * decoding nothing. All partitions pulled concurrently, as a host holding them all would.
 */
export async function rawConsume(bus: Bus, partitions: number, prefix = 'bench-raw'): Promise<ConsumeFigures> {
  const pending: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const info = await bus.jsm.consumers.add(STREAMS.tel, {
      durable_name: `${prefix}-p${p}`,
      filter_subject: subjects.telPartition(p),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: DEFAULT_HOST_BATCH,
    });
    pending.push(info.num_pending);
  }
  const cpu0 = selfCpuMs();
  const t0 = performance.now();
  const counts = await Promise.all(
    pending.map(async (want, p) => {
      const consumer = await bus.js.consumers.get(STREAMS.tel, `${prefix}-p${p}`);
      let got = 0;
      while (got < want) {
        // never ask for more than is left: the last fetch would wait out its expiry
        const iter = await consumer.fetch({ max_messages: Math.min(DEFAULT_HOST_BATCH, want - got), expires: 1_000 });
        for await (const m of iter) {
          m.ack();
          got++;
        }
      }
      return got;
    })
  );
  const figures = {
    messages: counts.reduce((a, b) => a + b, 0),
    cpuMs: selfCpuMs() - cpu0,
    wallMs: performance.now() - t0,
  };
  for (let p = 0; p < partitions; p++) await bus.jsm.consumers.delete(STREAMS.tel, `${prefix}-p${p}`);
  return figures;
}
