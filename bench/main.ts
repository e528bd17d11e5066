/**
 * Benchmarks, each printed beside a baseline measured in the same run (never timed unit tests).
 * `npm run bench [name…]`; starts its own nats-server.
 */
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { startNats } from '../testkit/index.js';
import { connectBus, defaultTopology, encodeEnvelope, makeEnvelope, provision, publish } from '../bus/index.js';
import { decodeEnvelope, exampleOf, gpuTelemetryV1, subjects } from '../schemas/index.js';

interface Row {
  bench: string;
  ours: string;
  baseline: string;
  ratio: string;
}

const rows: Row[] = [];
const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`;

async function rate(n: number, fn: (i: number) => Promise<unknown> | unknown, window = 256): Promise<number> {
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

async function benchPublish(): Promise<void> {
  await using nats = await startNats();
  await using bus = await connectBus({ servers: nats.url, name: 'bench' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
  const sample = exampleOf(gpuTelemetryV1);
  const subject = subjects.tel('gpu', 'wl-bench', 'node-1');
  const N = 20_000;
  process.stdout.write(`publish: ${N} validated envelopes vs raw js.publish (default connection)…\n`);
  const raw = await connect({ servers: nats.url });
  const rawJs = jetstream(raw);
  const bytes = encodeEnvelope(makeEnvelope(gpuTelemetryV1, sample, { source: 'bench' }));
  const baseline = await rate(N, (i) => rawJs.publish(subject, bytes, { msgID: `raw-${i}` }));
  const ours = await rate(N, () => publish(bus.js, subject, gpuTelemetryV1, sample, { source: 'bench' }));
  await raw.close();
  rows.push({ bench: 'acked publish, gpu telemetry', ours: fmt(ours), baseline: fmt(baseline), ratio: (ours / baseline).toFixed(2) });
}

async function benchDecode(): Promise<void> {
  const env = encodeEnvelope(makeEnvelope(gpuTelemetryV1, exampleOf(gpuTelemetryV1), { source: 'bench' }));
  const N = 50_000;
  process.stdout.write(`decode: ${N} envelopes, validated vs JSON.parse only…\n`);
  const text = new TextDecoder();
  const baseline = await rate(N, () => JSON.parse(text.decode(env)) as unknown);
  const ours = await rate(N, () => decodeEnvelope(env));
  rows.push({ bench: 'decode + validate, gpu telemetry', ours: fmt(ours), baseline: fmt(baseline), ratio: (ours / baseline).toFixed(2) });
}

const BENCHES: Record<string, () => Promise<void>> = { publish: benchPublish, decode: benchDecode };
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const [name, fn] of Object.entries(BENCHES)) if (wanted.length === 0 || wanted.includes(name)) await fn();

process.stdout.write(`\n${'bench'.padEnd(36)} ${'ours'.padStart(12)} ${'baseline'.padStart(12)} ${'ours/base'.padStart(10)}\n`);
for (const r of rows) process.stdout.write(`${r.bench.padEnd(36)} ${r.ours.padStart(12)} ${r.baseline.padStart(12)} ${r.ratio.padStart(10)}\n`);
process.stdout.write('\nbaselines: raw js.publish on a default connection (async traces on); JSON.parse without validation\n');
