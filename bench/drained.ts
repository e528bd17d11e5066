import { telConsumerName, type Bus } from '../bus/index.js';
import { STREAMS } from '../schemas/index.js';

/** Nothing pending or unacked on any partition consumer. */
export async function drained(bus: Bus, partitions: number): Promise<boolean> {
  for (let p = 0; p < partitions; p++) {
    const info = await bus.jsm.consumers.info(STREAMS.tel, telConsumerName(p));
    if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
  }
  return true;
}
