import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { check, startNats } from '../../testkit/index.js';
import { connectBus, defaultTopology, provision, type Bus } from '../../bus/index.js';
import {
  decodeEnvelope,
  engineTelemetryV1,
  gpuTelemetryV1,
  noticeV1,
  partitionOf,
  type Envelope,
} from '../../schemas/index.js';
import { engineMetricsSource, nvidiaSmiSource, startEdgeTelemetry } from '../index.js';
import { fakeNvidiaSmi } from '../fixtures/fake-nvidia-smi.js';

const P = 4;
const WL = 'wl-edge';
const NODE = 'node-a';
const T0 = Date.parse('2026-11-24T12:00:00.000Z');

const metrics = (name: string): string => readFileSync(new URL(`../fixtures/vllm/${name}`, import.meta.url), 'utf8');

/** Event time advancing 15 s per tick, so windows and rates are exact. */
function steppingClock(): () => Date {
  let n = 0;
  return () => new Date(T0 + 15_000 * n++);
}

async function setup(url: string): Promise<Bus> {
  const bus = await connectBus({ servers: url, name: 'edge-test' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P }));
  return bus;
}

async function readStream(bus: Bus, stream: string): Promise<{ subject: string; env: Envelope }[]> {
  const info = await bus.jsm.streams.info(stream);
  const out: { subject: string; env: Envelope }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq });
    if (!m) continue;
    const decoded = decodeEnvelope(m.data, [gpuTelemetryV1, engineTelemetryV1, noticeV1]);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    out.push({ subject: m.subject, env: decoded.envelope });
  }
  return out;
}

interface MetricsServer extends AsyncDisposable {
  url: string;
  requests: number;
  maxConcurrent: number;
  close(): Promise<void>;
}

/** Serves the given bodies in turn (the last one repeats), optionally after a delay. */
async function metricsServer(bodies: string[], delayMs = 0): Promise<MetricsServer> {
  let concurrent = 0;
  const state = { requests: 0, maxConcurrent: 0 };
  const server: Server = createServer((req, res) => {
    const body = bodies[Math.min(state.requests, bodies.length - 1)]!;
    state.requests++;
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    setTimeout(() => {
      concurrent--;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    get requests() {
      return state.requests;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

describe('gpu-edge telemetry publisher', () => {
  it('publishes GPU and engine telemetry on OI_TEL, then up:false once the engine is gone', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    await using smi = await fakeNvidiaSmi({ gpu: 'smi-load.csv', apps: 'smi-apps.csv' });
    await using engine = await metricsServer([
      metrics('constructed-v1-2engines-t0.txt'),
      metrics('constructed-v1-2engines-t1.txt'),
    ]);
    await using edge = await startEdgeTelemetry({
      bus,
      node: NODE,
      workload: WL,
      intervalMs: 250,
      gpu: nvidiaSmiSource({ path: smi.path }),
      engine: engineMetricsSource({ url: engine.url, timeoutMs: 1000 }),
      clock: steppingClock(),
    });
    await check(() => edge.stats.engineUp >= 1, 10_000, { name: 'engine window published' });
    await engine.close();
    await check(() => edge.stats.engineDown >= 1, 10_000, { name: 'engine down published' });
    await edge.stop();

    const part = partitionOf(WL, P);
    const msgs = await readStream(bus, 'OI_TEL');
    const gpu = msgs.filter((m) => m.subject === `oi.v1.tel.${part}.gpu.${WL}.${NODE}`);
    const eng = msgs.filter((m) => m.subject === `oi.v1.tel.${part}.engine.${WL}.${NODE}`);
    expect(gpu.length).toBe(edge.stats.gpuPublished);
    expect(gpu.length + eng.length).toBe(msgs.length);

    // GPU: the real H100 load capture through the fake nvidia-smi, stamped with the first tick
    expect(gpu[0]!.env.ts).toBe(new Date(T0).toISOString());
    expect(gpu[0]!.env.source).toBe(`gpu-edge:${NODE}`);
    expect(gpu[0]!.env.data).toMatchObject({
      node: NODE,
      workload: WL,
      driver_version: '580.159.04',
      gpus: [
        { uuid: 'GPU-c6c4c736-58fd-3a3f-976a-87a7829aec20', util_pct: 100, power_w: 697.58, memory_used_mib: 39159 },
      ],
      processes: [{ pid: 430, gpu_uuid: 'GPU-c6c4c736-58fd-3a3f-976a-87a7829aec20', used_mib: 39150 }],
    });

    // engine: tick 1 (T0) is the baseline (t0); the first window ends at the tick whose scrape
    // got t1, normally tick 2, later when a busy machine made a scrape outlast the interval
    const up = eng.filter((m) => (m.env.data as { up: boolean }).up);
    const windowS = (Date.parse(up[0]!.env.ts) - T0) / 1000;
    expect(windowS).toBeGreaterThanOrEqual(15);
    expect(windowS % 15).toBe(0);
    expect(up[0]!.env.data).toMatchObject({
      engine: 'vllm',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      window_s: windowS,
      requests_running: 21,
      requests_waiting: 3,
      kv_cache_usage: expect.closeTo(0.5, 9),
      kv_capacity_tokens: 864_000,
      prompt_tokens_per_s: expect.closeTo(4500 / windowS, 9), // t0 → t1: 4500 prompt tokens (fixtures/SOURCE.md)
      generation_tokens_per_s: expect.closeTo(3000 / windowS, 9),
      preemptions_total: 9,
      request_success_total: { stop: 780, length: 35, abort: 1 },
      ttft_ms: { p50: expect.closeTo(75, 6), p95: expect.closeTo(175, 6), p99: expect.closeTo(235, 6) },
    });
    // the last one for sure met a closed port (one scrape may have been cut mid-response)
    const down = eng.filter((m) => !(m.env.data as { up: boolean }).up);
    expect(down.at(-1)!.env.data).toMatchObject({
      up: false,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      scrape_error: expect.stringMatching(
        /metrics:http:\/\/127\.0\.0\.1:\d+\/metrics: cannot connect \(ECONNREFUSED\)/
      ),
    });
    // every message's event time is one of the clock's ticks, in order
    const times = eng.map((m) => Date.parse(m.env.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => (t - T0) % 15_000 === 0)).toBe(true);
  });

  it('turns failing GPU reads into events (first, then every Nth), and announces recovery', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    await using smi = await fakeNvidiaSmi({
      gpu: 'constructed-8gpu-nounits.csv',
      apps: 'constructed-8gpu-apps-nounits.csv',
    });
    await smi.setFailing(true);
    await using edge = await startEdgeTelemetry({
      bus,
      node: NODE,
      workload: WL,
      intervalMs: 100,
      gpu: nvidiaSmiSource({ path: smi.path }),
      clock: steppingClock(),
      gpuFailureRepeat: 3,
    });
    await check(() => edge.stats.gpuFailures >= 4, 10_000, { name: 'four failed reads' });
    await smi.setFailing(false);
    await check(() => edge.stats.gpuPublished >= 1, 10_000, { name: 'gpu telemetry back' });
    await edge.stop();

    const events = await readStream(bus, 'OI_EVT');
    const failed = events.filter((e) => e.subject === `oi.v1.evt.edge.gpu_telemetry_failed.${WL}`);
    const recovered = events.filter((e) => e.subject === `oi.v1.evt.edge.gpu_telemetry_recovered.${WL}`);
    // failures 1 and 3 (and 6, 9 … if the loop ran that long) produce an event
    expect(failed.length).toBe(1 + Math.floor(edge.stats.gpuFailures / 3));
    expect(failed[0]!.env.data).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(
        /nvidia-smi.* exited with 9: NVIDIA-SMI has failed because it couldn't communicate/
      ),
      attrs: { node: NODE, consecutive_failures: 1 },
    });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.env.data).toMatchObject({
      severity: 'info',
      attrs: { consecutive_failures: edge.stats.gpuFailures },
    });
    const tel = await readStream(bus, 'OI_TEL');
    expect((tel[0]!.env.data as { gpus: unknown[] }).gpus).toHaveLength(8);
  });

  it('refuses to start when nvidia-smi is missing, with one clear error', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    await expect(
      startEdgeTelemetry({
        bus,
        node: NODE,
        workload: WL,
        intervalMs: 100,
        gpu: nvidiaSmiSource({ path: '/nonexistent/nvidia-smi' }),
      })
    ).rejects.toThrow(
      'nvidia-smi not found at /nonexistent/nvidia-smi: install the NVIDIA driver or set OI_NVIDIA_SMI'
    );
    expect((await bus.jsm.streams.info('OI_TEL')).state.messages).toBe(0);
  });

  it('never runs two scrapes of one source at once when a scrape outlasts the interval', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    await using engine = await metricsServer([metrics('constructed-v1-2engines-t0.txt')], 400);
    await using edge = await startEdgeTelemetry({
      bus,
      node: NODE,
      workload: WL,
      intervalMs: 50,
      engine: engineMetricsSource({ url: engine.url, timeoutMs: 5000 }),
    });
    await check(() => engine.requests >= 3, 10_000, { name: 'three slow scrapes' });
    await edge.stop();
    expect(engine.maxConcurrent).toBe(1);
    expect(edge.stats.overlapsSkipped).toBeGreaterThan(0);
    expect(edge.stats.ticks).toBe(engine.requests + edge.stats.overlapsSkipped);
  });

  it('engine source: names HTTP errors, timeouts and bodies that are not Prometheus text', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/down') res.writeHead(503).end('engine is loading');
      else if (req.url === '/html') res.writeHead(200).end('<html>login</html>');
      else setTimeout(() => res.writeHead(200).end('vllm:num_requests_running 1'), 1_000);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(engineMetricsSource({ url: `${base}/down` }).scrape()).rejects.toThrow(
        /HTTP 503: engine is loading/
      );
      await expect(engineMetricsSource({ url: `${base}/html` }).scrape()).rejects.toThrow(
        /prometheus text line 1: not a sample/
      );
      await expect(engineMetricsSource({ url: `${base}/slow`, timeoutMs: 100 }).scrape()).rejects.toThrow(
        /timed out after 100 ms/
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
