/**
 * Chaos publisher: steady telemetry over W workloads at R msg/s; logs every id the stream
 * acknowledged to publisher.jsonl. SIGTERM stops it after in-flight publishes settle.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { connectBus, publish } from '../../bus/index.js';
import { exampleOf, gpuTelemetryV1, subjects } from '../../schemas/index.js';
import { JsonlWriter, required, toolArgs } from './jsonl-writer.js';

const args = toolArgs(process.argv.slice(2));
const rate = Number(args.get('rate') ?? '100');
const workloads = Number(args.get('workloads') ?? '24');
const out = new JsonlWriter(join(required(args, 'dir'), 'publisher.jsonl'));
const bus = await connectBus({ servers: required(args, 'nats'), name: 'chaos-publisher' });
const sample = exampleOf(gpuTelemetryV1);
let stopping = false;
let failed = 0;
process.once('SIGTERM', () => (stopping = true));
process.stdout.write('ready\n');

const inflight = new Set<Promise<void>>();
const t0 = performance.now();
for (let n = 0; !stopping; n++) {
  const due = t0 + (n * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const w = `wl-${n % workloads}`;
  const p = publish(
    bus.js,
    subjects.tel('gpu', w, 'node-1'),
    gpuTelemetryV1,
    { ...sample, workload: w },
    { source: 'chaos' }
  )
    .then((r) => out.write({ id: r.envelope.id, w }))
    .catch(() => void failed++)
    .finally(() => inflight.delete(p));
  inflight.add(p);
  while (inflight.size >= 64) await Promise.race(inflight);
}
await Promise.all(inflight);
out.close();
process.stdout.write(`acked ${out.lines} failed ${failed}\n`);
await bus.drain();
