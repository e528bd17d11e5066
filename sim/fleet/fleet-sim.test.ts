import { describe, expect, it } from 'vitest';
import { parsePrometheusText, normalizeVllmNames } from '../../gpu-edge/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace, type SimRequest } from '../trace/index.js';
import { parseFleetSpec, type FleetSpecInput } from './fleet-spec.js';
import { FleetSim, type FleetInterval } from './fleet-sim.js';

const spec = (over: Partial<FleetSpecInput> = {}): FleetSpecInput => ({
  workload: 'wl-chat',
  seed: 7,
  telemetryIntervalSec: 10,
  replicas: [
    { node: 'n1', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
    { node: 'n2', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b' },
  ],
  ...over,
});

const trace = (seed: number, durationSec = 300, rate = 8): SimRequest[] => [
  ...generateSyntheticTrace({ ...DEFAULT_SYNTHETIC_PARAMS, durationSec, meanRatePerSec: rate, burstsPerHour: 0 }, seed),
];

async function run(s: FleetSpecInput, t: SimRequest[]): Promise<{ summary: unknown; intervals: FleetInterval[] }> {
  const sim = await FleetSim.create(parseFleetSpec(s));
  const intervals: FleetInterval[] = [];
  const summary = await sim.run(t, (i) => void intervals.push(i));
  return { summary, intervals };
}

describe('sim/fleet FleetSim', { timeout: 30_000 }, () => {
  it('gives the same results twice for a seed', async () => {
    const t = trace(3);
    const a = await run(spec(), t);
    const b = await run(spec(), t);
    expect(a.summary).toEqual(b.summary);
    expect(a.intervals.map((i) => i.replicas.map((r) => r.metricsText))).toEqual(
      b.intervals.map((i) => i.replicas.map((r) => r.metricsText))
    );
    expect((a.summary as { requestsDone: number }).requestsDone).toBe(t.length);
  });

  it('bills each instance per second from boot at its catalog price, and meets the SLO at light load', async () => {
    const sim = await FleetSim.create(parseFleetSpec(spec()));
    const s = await sim.run(trace(4, 300, 4));
    expect(s.sloAttainment).toBeGreaterThan(0.95);
    const price = sim.cloud
      .priceTable()
      .find((r) => r.instanceType === 'aws:p5.4xlarge' && r.purchaseOption === 'on_demand')!.usdPerHour;
    const instances = await sim.cloud.describeInstances();
    expect(instances).toHaveLength(2);
    // the run ends at the last telemetry boundary; both nodes boot during the warm-up before 0
    const expected = instances.reduce((usd, i) => usd + (price * (s.simSec - i.billingStartSec)) / 3600, 0);
    expect(s.costUsd).toBeCloseTo(expected, 6);
    expect(instances.every((i) => i.billingStartSec < 0)).toBe(true);
  });

  it('a spot interruption removes the replica after its notice; its requests are retried elsewhere and counted', async () => {
    // long generations (25k tokens ≈ 3–4 min of decode) outlast the 2-minute notice
    const t: SimRequest[] = Array.from({ length: 100 }, (_, i) => ({
      id: `long-${i}`,
      arrivalSec: i * 8,
      promptTokens: 1_000,
      outputTokens: 25_000,
    }));
    const engine = { maxModelLen: 32_768 };
    const { summary, intervals } = await run(
      spec({
        // seeded: spot1's notice comes at ~362 s, with long requests in flight
        seed: 1,
        cloud: { spotInterruptionsPerHour: 3 },
        replicas: [
          { node: 'spot1', instanceType: 'aws:p5.4xlarge', purchaseOption: 'spot', model: 'llama-3.1-8b', engine },
          { node: 'od1', instanceType: 'aws:p5.4xlarge', model: 'llama-3.1-8b', engine },
        ],
      }),
      t
    );
    const s = summary as { interruptions: number; retries: number; requestsDone: number; dropped: number };
    expect(s.interruptions).toBeGreaterThanOrEqual(1);
    const down = intervals.find((i) => i.replicas.find((r) => r.node === 'spot1')?.up === false);
    expect(down).toBeDefined();
    expect(s.requestsDone + s.dropped).toBe(t.length);
    expect(s.retries).toBeGreaterThan(0);
    expect(s.dropped).toBe(0);
  }, 60_000);

  it('each replica /metrics parses with the gpu-edge parser and carries vLLM current names', async () => {
    const { intervals } = await run(spec(), trace(6, 60));
    const text = intervals.at(-1)!.replicas[0]!.metricsText!;
    const normalized = normalizeVllmNames(parsePrometheusText(text).samples);
    const names = new Set(normalized.samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    for (const n of [
      'vllm:num_requests_running',
      'vllm:num_requests_waiting',
      'vllm:kv_cache_usage_perc',
      'vllm:time_to_first_token_seconds',
      'vllm:inter_token_latency_seconds',
      'vllm:e2e_request_latency_seconds',
      'vllm:prompt_tokens_total',
      'vllm:generation_tokens_total',
      'vllm:cache_config_info',
    ]) {
      expect(names, n).toContain(n);
    }
  });

  it('refuses a bad fleet spec naming the field', () => {
    expect(() =>
      parseFleetSpec({ ...spec(), replicas: [{ node: 'x', instanceType: 't', model: 'm', gpus: 2 }] })
    ).toThrow(/replicas\.0/);
    expect(() => parseFleetSpec({ ...spec(), workload: 'Bad Name' })).toThrow(/workload: lowercase/);
  });
});
