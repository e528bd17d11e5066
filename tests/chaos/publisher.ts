/**
 * Chaos publisher: steady telemetry over W workloads at R msg/s; logs every id the stream
 * acknowledged to publisher.jsonl, with the ack's wall time. A failed publish is retried with
 * the same envelope (same Nats-Msg-Id) until acknowledged, as a gpu-edge would: so nothing the
 * stream stored is missing from the log. SIGTERM stops it after in-flight publishes settle.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { connectBus, makeEnvelope, publishEnvelope } from '../../bus/index.js';
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
  const env = makeEnvelope(gpuTelemetryV1, { ...sample, workload: w, node: 'node-1' }, { source: 'chaos' });
  const send = async (): Promise<void> => {
    for (;;) {
      try {
        await publishEnvelope(bus.js, subjects.tel('gpu', w, 'node-1'), env);
        out.write({ id: env.id, w, t: Date.now() });
        return;
      } catch {
        failed++; // counted, then retried: the duplicate window keeps one copy
        await sleep(500);
      }
    }
  };
  const p = send().finally(() => inflight.delete(p));
  inflight.add(p);
  while (inflight.size >= 64) await Promise.race(inflight);
}
await Promise.all(inflight);
out.close();
process.stdout.write(`acked ${out.lines} retried ${failed}\n`);
await bus.drain();
