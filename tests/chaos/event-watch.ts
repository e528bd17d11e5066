/**
 * Chaos event watcher: reads OI_EVT from the start with an ordered consumer (it survives
 * NATS node kills by recreating itself) and logs action results, duplicate-decision notices
 * and proposal outcomes to events.jsonl.
 */
import { join } from 'node:path';
import { DeliverPolicy } from '@nats-io/jetstream';
import { connectBus } from '../../bus/index.js';
import { decodeEnvelope, STREAMS } from '../../schemas/index.js';
import { JsonlWriter, required, toolArgs } from './jsonl-writer.js';

const args = toolArgs(process.argv.slice(2));
const out = new JsonlWriter(join(required(args, 'dir'), 'events.jsonl'));
const bus = await connectBus({ servers: required(args, 'nats'), name: 'chaos-event-watch' });
let last = 0;
bus.nc.subscribe('chaos.events.seq', { callback: (_e, m) => void m.respond(String(last)) });
const consumer = await bus.js.consumers.get(STREAMS.evt, {
  filter_subjects: [
    'oi.v1.evt.edge.action_result.>',
    'oi.v1.evt.edge.action_duplicate.>',
    'oi.v1.evt.priority.outcome.>',
  ],
  deliver_policy: DeliverPolicy.All,
});
const msgs = await consumer.consume();
process.once('SIGTERM', () => void msgs.close());
process.stdout.write('ready\n');

for await (const m of msgs) {
  last = m.seq;
  const d = decodeEnvelope(m.data);
  if (!d.ok) continue;
  const data = d.envelope.data as Record<string, unknown>;
  const attrs = (data.attrs ?? {}) as Record<string, unknown>;
  if (d.envelope.schema === 'oi.act.result.v1') {
    out.write({
      k: 'result',
      seq: m.seq,
      action: data.action_id,
      decision: data.decision_id,
      status: data.status,
      detail: String(data.detail).slice(0, 200),
    });
  } else if (data.event === 'action_duplicate') {
    out.write({ k: 'duplicate', seq: m.seq, action: attrs.action_id, decision: attrs.decision_id });
  } else if (data.event === 'outcome') {
    out.write({ k: 'outcome', seq: m.seq, proposal: attrs.proposal_id, fate: attrs.fate });
  }
}
out.close();
await bus.drain();
