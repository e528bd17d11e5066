/** Chaos lease watcher: logs every revision of `oi_leases` to leases.jsonl. */
import { join } from 'node:path';
import { KvWatchInclude } from '@nats-io/kv';
import { connectBus } from '../../bus/index.js';
import { KV_BUCKETS } from '../../schemas/index.js';
import { JsonlWriter, required, toolArgs } from './jsonl-writer.js';

const args = toolArgs(process.argv.slice(2));
const out = new JsonlWriter(join(required(args, 'dir'), 'leases.jsonl'));
const bus = await connectBus({ servers: required(args, 'nats'), name: 'chaos-lease-watch' });
const kv = await bus.kvm.open(KV_BUCKETS.leases);
// revisions up to here may have been overwritten before we looked (history 1); later ones must all arrive
const start = (await bus.jsm.streams.info(`KV_${KV_BUCKETS.leases}`)).state.last_seq;
out.write({ rev: start, key: '', op: 'start' });
const watch = await kv.watch({ key: '>', include: KvWatchInclude.AllHistory });
process.once('SIGTERM', () => watch.stop());
process.stdout.write('ready\n');

for await (const e of watch) {
  if (e.operation !== 'PUT') {
    out.write({ rev: e.revision, key: e.key, op: 'del' });
    continue;
  }
  let v: { holder?: string; epoch?: number; deadline?: number; acquiredAt?: number } = {};
  try {
    v = JSON.parse(new TextDecoder().decode(e.value)) as typeof v;
  } catch {
    // not a lease (a corrupt value is the lease store's to report)
  }
  out.write({
    rev: e.revision,
    key: e.key,
    op: 'put',
    holder: v.holder,
    epoch: v.epoch,
    deadline: v.deadline,
    acquiredAt: v.acquiredAt,
  });
}
out.close();
await bus.drain();
