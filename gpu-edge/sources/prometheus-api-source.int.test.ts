import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, defaultTopology, provision } from '../../bus/index.js';
import { decodeEnvelope, engineTelemetryV1, type EngineTelemetry } from '../../schemas/index.js';
import {
  check,
  startNats,
  startPrometheus,
  startTsProcess,
  type OiProcess,
  type PrometheusHandle,
} from '../../testkit/index.js';
import { startEdgeTelemetry } from '../publisher.js';
import { EngineTelemetryTracker } from '../telemetry/engine-telemetry.js';
import { parsePrometheusText } from '../telemetry/prometheus-text.js';
import {
  deriveEngineWindow,
  engineSnapshot,
  type EngineSnapshot,
  type EngineWindow,
} from '../telemetry/vllm-metrics.js';
import { engineMetricsSource } from './engine-metrics-source.js';
import { prometheusApiSource } from './prometheus-api-source.js';
import type { EngineSource } from './types.js';

const SERVE = fileURLToPath(new URL('../../sim/engine/serve.ts', import.meta.url));
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const SCRAPE_MS = 1000;
const BLOCKS = 64;
const BLOCK_TOKENS = 16; // vLLM's default block size, which the simulator uses
const MAX_NUM_SEQS = 8;
const REQUESTS = 16;
const MAX_TOKENS = 40;
// simulated seconds per wall second: the load (~1 s simulated) spans ~10 one-second scrapes
const SPEED = 0.1;
const id = { node: 'node-p', workload: 'wl-prom', engine: 'sim' as const };

interface Recorded {
  atMs: number;
  body: string;
}

/** Passes `/metrics` through to the engine and keeps every body it served, with its time. */
async function recordingProxy(
  engineUrl: string
): Promise<{ address: string; scrapes: Recorded[]; close(): Promise<void> }> {
  const scrapes: Recorded[] = [];
  const server = createServer((req, res) => {
    const atMs = Date.now();
    fetch(`${engineUrl}/metrics`)
      .then(async (r) => {
        const body = await r.text();
        if (r.ok) scrapes.push({ atMs, body });
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(body);
      })
      .catch((err: Error) => res.writeHead(502).end(err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    scrapes,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function complete(url: string, i: number): Promise<{ prompt_tokens: number; completion_tokens: number }> {
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // ~100 prompt tokens (the simulator counts 4 characters a token), distinct so no prefix is shared
    body: JSON.stringify({
      model: MODEL,
      prompt: `request ${i}: ` + 'tell me about kv caches '.repeat(16),
      max_tokens: MAX_TOKENS,
    }),
  });
  if (res.status !== 200) throw new Error(`completion ${i}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
}

function gauges(w: EngineWindow): Record<string, number> {
  return {
    requests_running: w.requests_running,
    requests_waiting: w.requests_waiting,
    kv_cache_usage: w.kv_cache_usage,
    preemptions_total: w.preemptions_total,
  };
}

describe('gpu-edge prometheus api source against Prometheus 2.53 scraping the sim engine', () => {
  let engine: OiProcess;
  let engineUrl: string;
  let prom: PrometheusHandle;
  let direct: EngineSource;
  let viaProm: EngineSource;
  let viaRecorded: EngineSource;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;

  beforeAll(async () => {
    engine = startTsProcess(
      'sim-engine',
      SERVE,
      [
        MODEL,
        '--gpu',
        'H100-SXM',
        '--port',
        '0',
        '--max-model-len',
        '1024',
        '--max-num-seqs',
        String(MAX_NUM_SEQS),
        '--num-gpu-blocks-override',
        String(BLOCKS),
        '--load-time',
        '0',
        '--speed',
        String(SPEED),
        '--seed',
        '7',
      ],
      {}
    );
    const listening = (): string | undefined =>
      engine
        .getLog()
        .split('\n')
        .find((l) => l.includes('"listening"'));
    const line = await check(listening, 30_000, { name: 'sim engine listening' });
    engineUrl = (JSON.parse(line) as { url: string }).url;
    await check(async () => (await fetch(`${engineUrl}/health`)).status === 200, 10_000, { name: 'engine loaded' });
    const address = new URL(engineUrl).host;
    proxy = await recordingProxy(engineUrl);
    // job vllm scrapes the engine itself; job recorded the same engine through the proxy, so the
    // test holds the very bodies Prometheus ingested
    prom = await startPrometheus({
      scrapeTargets: [
        { job: 'vllm', address },
        { job: 'recorded', address: proxy.address },
      ],
      scrapeIntervalMs: SCRAPE_MS,
    });
    await prom.waitForScrapes();
    direct = engineMetricsSource({ url: `${engineUrl}/metrics`, engine: 'sim' });
    viaProm = prometheusApiSource({ baseUrl: prom.url, matchers: `job="vllm",instance="${address}"`, engine: 'sim' });
    viaRecorded = prometheusApiSource({ baseUrl: prom.url, matchers: 'job="recorded"', engine: 'sim' });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await proxy?.close();
    await engine?.stop(2_000);
  });

  it('derives the same telemetry through Prometheus as from /metrics, window by window and over the load', async () => {
    // both baselines on the idle engine, which has served nothing yet: nothing moves until the load
    const at0 = new Date();
    const directT = new EngineTelemetryTracker(id, { intervalMs: SCRAPE_MS });
    const promT = new EngineTelemetryTracker(id, { intervalMs: SCRAPE_MS });
    directT.observe(await direct.scrape(), at0);
    promT.observe(await viaProm.scrape(), at0);

    // during the load, read Prometheus once a scrape interval, as an edge would
    const seen: EngineSnapshot[] = [];
    let loading = true;
    const reader = (async () => {
      while (loading) {
        const snap = engineSnapshot(await viaRecorded.scrape(), new Date());
        if (snap.sampledAtMs !== seen.at(-1)?.sampledAtMs) seen.push(snap);
        await new Promise((r) => setTimeout(r, SCRAPE_MS));
      }
    })();
    const usage = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => complete(engineUrl, i)));
    const loadEndMs = Date.now();
    loading = false;
    await reader;

    // window by window: each Prometheus scrape matched to the body the proxy served it (the same
    // scrape, ms apart), and that body parsed as the direct source parses /metrics. Same
    // numbers in, so every field of every window must be equal: no tolerance
    const body = (atMs: number): EngineSnapshot => {
      const rec = proxy.scrapes.reduce((a, b) => (Math.abs(b.atMs - atMs) < Math.abs(a.atMs - atMs) ? b : a));
      expect(Math.abs(rec.atMs - atMs), 'proxy saw the scrape').toBeLessThan(SCRAPE_MS / 2);
      return engineSnapshot(parsePrometheusText(rec.body).samples, new Date(atMs));
    };
    expect(seen.length).toBeGreaterThanOrEqual(4);
    const windows: EngineWindow[] = [];
    for (let i = 1; i < seen.length; i++) {
      const viaPrometheus = deriveEngineWindow(seen[i - 1]!, seen[i]!);
      const fromBodies = deriveEngineWindow(body(seen[i - 1]!.sampledAtMs!), body(seen[i]!.sampledAtMs!));
      expect(viaPrometheus, `window ending ${new Date(seen[i]!.sampledAtMs!).toISOString()}`).toEqual(fromBodies);
      windows.push(viaPrometheus);
    }
    // the windows saw the load: a queue, a KV cache near full, preemptions, tokens flowing
    expect(Math.max(...windows.map((w) => w.requests_waiting))).toBeGreaterThan(0);
    expect(Math.max(...windows.map((w) => w.kv_cache_usage))).toBeGreaterThan(0.5);
    expect(Math.max(...windows.map((w) => w.generation_tokens_per_s))).toBeGreaterThan(0);

    // over the whole load, against the direct source scraping the engine itself: the last reads
    // come after Prometheus scraped the finished load, so both windows hold all of it
    const promEnd = await check(
      async () => {
        const samples = await viaProm.scrape();
        return samples[0]!.timestampMs! > loadEndMs && samples;
      },
      10_000,
      { name: 'a scrape after the load' }
    );
    const at1 = new Date();
    const d = directT.observe(await direct.scrape(), at1).window!;
    const p = promT.observe(promEnd, at1).window!;

    // counters and histograms: idle at both ends, so the increments are the same numbers and
    // the quantiles (same buckets, same rule) match exactly
    const generated = usage.reduce((a, u) => a + u.completion_tokens, 0);
    expect(generated).toBe(REQUESTS * MAX_TOKENS);
    expect(p.request_success_total).toEqual(d.request_success_total);
    expect(p.request_success_total['length']).toBe(REQUESTS); // every request stopped at max_tokens
    expect(p.generation_tokens_per_s * p.window_s).toBeCloseTo(d.generation_tokens_per_s * d.window_s, 6);
    expect(p.prompt_tokens_per_s * p.window_s).toBeCloseTo(d.prompt_tokens_per_s * d.window_s, 6);
    expect(Math.round(d.generation_tokens_per_s * d.window_s)).toBeGreaterThanOrEqual(generated);
    expect(p.preemptions_in_window).toBe(d.preemptions_in_window);
    // 8 sequences of ~100 + 40 tokens need 8 × 9 blocks > 64: the load was sized to preempt
    expect(p.preemptions_in_window).toBeGreaterThan(0);
    for (const q of ['ttft_ms', 'itl_ms', 'e2e_ms'] as const) {
      expect(p[q], q).not.toBeNull();
      for (const k of ['p50', 'p90', 'p95', 'p99'] as const) expect(p[q]![k], `${q}.${k}`).toBeCloseTo(d[q]![k], 9);
    }
    expect(p.prefix_cache_hit_rate).toBe(d.prefix_cache_hit_rate);
    // capacity from vllm:cache_config_info labels: --num-gpu-blocks-override × 16-token blocks
    expect(p.kv_capacity_tokens).toBe(BLOCKS * BLOCK_TOKENS);
    expect(d.kv_capacity_tokens).toBe(BLOCKS * BLOCK_TOKENS);
    expect(gauges(p)).toEqual(gauges(d));

    // rates: Prometheus's window runs between its scrapes, each at most one scrape interval
    // (plus the scrape's own ms) before it was read; the direct one between the two reads
    const slackS = SCRAPE_MS / 1000 + 0.1;
    expect(Math.abs(p.window_s - d.window_s)).toBeLessThanOrEqual(slackS);
    const rate = (w: EngineWindow): number => w.request_success_total['length']! / w.window_s;
    expect(Math.abs(rate(p) - rate(d)) / rate(d)).toBeLessThanOrEqual(slackS / (d.window_s - slackS));
  }, 90_000);

  it('publishes a stopped engine as up:false with the scrape error Prometheus saw, every interval', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'prom-edge-test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
    const seen: EngineTelemetry[] = [];
    const sub = bus.nc.subscribe(`oi.v1.tel.engine.${id.workload}.${id.node}`);
    void (async () => {
      for await (const m of sub) {
        const dec = decodeEnvelope(m.data, [engineTelemetryV1]);
        if (dec.ok) seen.push(dec.envelope.data as EngineTelemetry);
      }
    })();
    await using edge = await startEdgeTelemetry({
      bus,
      node: id.node,
      workload: id.workload,
      intervalMs: SCRAPE_MS,
      engine: viaProm,
    });
    await check(() => edge.stats.engineUp >= 1, 15_000, { name: 'an up window through Prometheus' });
    engine.signal('SIGKILL');
    await engine.exited;
    const killedAt = seen.length;
    await check(() => edge.stats.engineDown >= 3, 15_000, { name: 'three down intervals' });
    await edge.stop();
    const published = edge.stats.engineUp + edge.stats.engineDown;
    await check(() => seen.length === published, 5_000, { name: 'every publish received' });
    sub.unsubscribe();

    expect(seen[0]).toMatchObject({ up: true, model: MODEL, kv_capacity_tokens: BLOCKS * BLOCK_TOKENS });
    const after = seen.slice(killedAt);
    const firstDown = after.findIndex((t) => !t.up);
    const down = after.slice(firstDown);
    // once Prometheus has failed a scrape, every interval says so: no silence, no stale up
    expect(firstDown).toBeGreaterThanOrEqual(0);
    expect(down.every((t) => !t.up)).toBe(true);
    expect(down.length).toBe(edge.stats.engineDown);
    // the last one for sure met the closed port (a scrape cut by the kill may say EOF instead)
    expect(down.at(-1)).toMatchObject({
      up: false,
      model: MODEL,
      scrape_error: expect.stringMatching(
        /^prometheus:http:\/\/127\.0\.0\.1:\d+: target \{instance="127\.0\.0\.1:\d+",job="vllm"\} is down in Prometheus \(up == 0, scrape at [0-9T:.-]+Z\): .*connection refused/
      ),
    });
  }, 60_000);
});
