/**
 * Chaos receiver: reads OI_REC in stream order through a FencedInbox, as the supervisor will,
 * and logs what it did with each message to receiver.jsonl. Answers `chaos.receiver.seq`
 * with the last stream sequence it handled, so the driver knows when it caught up.
 */
import { join } from 'node:path';
import { DeliverPolicy } from '@nats-io/jetstream';
import { connectBus } from '../../bus/index.js';
import { decodeEnvelope, STREAMS } from '../../schemas/index.js';
import { EPOCH_HEADER, PARTITION_HEADER } from '../../actors/index.js';
import { FencedInbox } from '../../supervisor/index.js';
import { JsonlWriter, required, toolArgs } from './jsonl-writer.js';

const args = toolArgs(process.argv.slice(2));
const out = new JsonlWriter(join(required(args, 'dir'), 'receiver.jsonl'));
const bus = await connectBus({ servers: required(args, 'nats'), name: 'chaos-receiver' });
const inbox = new FencedInbox();
let last = 0;
bus.nc.subscribe('chaos.receiver.seq', { callback: (_e, m) => void m.respond(String(last)) });
const consumer = await bus.js.consumers.get(STREAMS.rec, {
  filter_subjects: ['oi.v1.rec.>'],
  deliver_policy: DeliverPolicy.All,
});
const msgs = await consumer.consume();
process.once('SIGTERM', () => void msgs.close());
process.stdout.write('ready\n');

for await (const m of msgs) {
  last = m.seq;
  const d = decodeEnvelope(m.data);
  if (!d.ok) continue;
  const e = Number(m.headers?.get(EPOCH_HEADER) ?? 0);
  const p = Number(m.headers?.get(PARTITION_HEADER) ?? -1);
  const res = inbox.accept(d.envelope, e ? { epoch: e, partition: p } : undefined);
  if (res.kind === 'fence') {
    const f = d.envelope.data as { holder: string };
    out.write({ k: 'fence', seq: m.seq, p: res.partition, e: res.epoch, holder: f.holder });
  } else if (res.kind === 'apply') {
    const data = d.envelope.data as { message_id: string; workload: string; count: number };
    out.write({
      k: 'apply',
      seq: m.seq,
      id: d.envelope.id,
      p,
      e,
      src: d.envelope.source,
      msg: data.message_id,
      w: data.workload,
      count: data.count,
    });
  } else if (res.kind === 'stale') {
    out.write({ k: 'stale', seq: m.seq, id: d.envelope.id, p, e, reason: res.reason });
  } else {
    out.write({ k: 'dup', seq: m.seq, id: d.envelope.id });
  }
}
out.close();
await bus.drain();
