import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { startNats } from '../testkit/index.js';
import { connectBus, defaultTopology, encodeEnvelope, makeEnvelope, provision, publish } from '../bus/index.js';
import { decodeEnvelope, exampleOf, gpuTelemetryV1, subjects } from '../schemas/index.js';
import { addNote, addRow, perSecond, progress, ratio } from './report.js';

async function rate(n: number, fn: (i: number) => unknown, window = 256): Promise<number> {
  const t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const r = fn(i);
    if (r instanceof Promise) {
      inflight.push(r);
      if (inflight.length >= window) await Promise.all(inflight.splice(0));
    }
  }
  await Promise.all(inflight);
  return n / ((performance.now() - t0) / 1000);
}

/** `publish`: validated, acked envelopes vs raw js.publish of the same bytes. */
export async function benchPublish(): Promise<void> {
  await using nats = await startNats();
  await using bus = await connectBus({ servers: nats.url, name: 'bench' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
  const sample = exampleOf(gpuTelemetryV1);
  const subject = subjects.tel('gpu', 'wl-bench', 'node-1');
  const N = 20_000;
  progress(`publish: ${N} validated envelopes vs raw js.publish (default connection)…`);
  const raw = await connect({ servers: nats.url });
  const rawJs = jetstream(raw);
  const bytes = encodeEnvelope(makeEnvelope(gpuTelemetryV1, sample, { source: 'bench' }));
  const baseline = await rate(N, (i) => rawJs.publish(subject, bytes, { msgID: `raw-${i}` }));
  const ours = await rate(N, () => publish(bus.js, subject, gpuTelemetryV1, sample, { source: 'bench' }));
  await raw.close();
  addRow({
    bench: 'acked publish, gpu telemetry',
    ours: perSecond(ours),
    baseline: perSecond(baseline),
    ratio: ratio(ours, baseline),
  });
  addNote('publish: baseline is raw js.publish on a default connection (async traces on)');
}

/** `decode`: envelope decode + zod validation vs JSON.parse alone. */
export async function benchDecode(): Promise<void> {
  const env = encodeEnvelope(makeEnvelope(gpuTelemetryV1, exampleOf(gpuTelemetryV1), { source: 'bench' }));
  const N = 50_000;
  progress(`decode: ${N} envelopes, validated vs JSON.parse only…`);
  const text = new TextDecoder();
  const baseline = await rate(N, () => JSON.parse(text.decode(env)) as unknown);
  const ours = await rate(N, () => decodeEnvelope(env));
  addRow({
    bench: 'decode + validate, gpu telemetry',
    ours: perSecond(ours),
    baseline: perSecond(baseline),
    ratio: ratio(ours, baseline),
  });
  addNote('decode: baseline is JSON.parse without validation');
}
