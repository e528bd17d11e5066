import { describe, expect, it } from 'vitest';
import { parseMissionConfig } from '../mission-config.js';
import type { MissionContext, Offer } from '../policy.js';
import { FakeFleet } from './fake-fleet.js';
import { OraclePolicy } from './oracle.js';
import { hpaDesired, ReactiveQueuePolicy, type HpaSettings } from './reactive-queue.js';
import { analyzeSaturation, SaturationPolicy, type SaturationSettings } from './saturation.js';
import { openingSize, staticPeakSize } from './sizing.js';
import { planOracle } from '../oracle-plan.js';

const H100 = { instanceType: 'aws:p5.4xlarge', purchaseOption: 'on_demand' as const };

// Kubernetes HPA defaults (kube-controller-manager: --horizontal-pod-autoscaler-tolerance 0.1,
// behavior.scaleDown.stabilizationWindowSeconds 300, scaleUp 0) and hpa-10.yaml's target Value 1.
const HPA: HpaSettings = {
  targetWaiting: 1,
  minReplicas: 1,
  maxReplicas: 64,
  tolerance: 0.1,
  scaleDownStabilizationSec: 300,
  scaleUpStabilizationSec: 0,
};

// WVA saturation analyzer defaults (docs/saturation-analyzer.md: 0.80 / 5 / 0.1 / 3, GLOBAL_OPT_INTERVAL 60s)
const WVA: SaturationSettings = {
  kvCacheThreshold: 0.8,
  queueLengthThreshold: 5,
  kvSpareTrigger: 0.1,
  queueSpareTrigger: 3,
  intervalSec: 60,
  windowSec: 60,
  minReplicas: 1,
  maxReplicas: 64,
};

describe('mission/policies reactive-queue (HPA on vllm:num_requests_waiting)', () => {
  it('follows the HPA replica formula ceil(current × metric / target) outside the tolerance', () => {
    expect(hpaDesired(2, 10, 1, 0.1)).toBe(20);
    expect(hpaDesired(3, 1.05, 1, 0.1)).toBe(3); // |1 − 1.05| ≤ 0.1: no change
    expect(hpaDesired(4, 0, 1, 0.1)).toBe(0);
    expect(hpaDesired(0, 3, 1, 0.1)).toBe(3);
  });

  it('scales up at most max(+100 %, +4) per sync period', async () => {
    const fleet = new FakeFleet([H100]);
    const p = new ReactiveQueuePolicy(HPA, H100, 1);
    await p.onInterval(fleet.interval(15, 50), fleet);
    expect(fleet.active()).toBe(5); // 1 + 4 (100 % of 1 is less)
    fleet.serveAll();
    await p.onInterval(fleet.interval(30, 50), fleet);
    expect(fleet.active()).toBe(10); // 5 × 2
  });

  it('scales down only once the 300 s stabilisation window holds no higher recommendation', async () => {
    const fleet = new FakeFleet([H100, H100]);
    const p = new ReactiveQueuePolicy(HPA, H100, 2);
    await p.onInterval(fleet.interval(15, 0.5), fleet); // total 1 waiting: ratio 1, keep 2
    for (let t = 30; t <= 315; t += 15) {
      await p.onInterval(fleet.interval(t, 0), fleet); // recommends the minimum, 1
      expect(fleet.active(), `t=${t}`).toBe(2);
    }
    await p.onInterval(fleet.interval(330, 0), fleet);
    expect(fleet.active()).toBe(1);
    expect(fleet.calls).toEqual(['retire n1']); // the newest serving replica goes
  });
});

describe('mission/policies saturation (llm-d WVA analyzer)', () => {
  it('scales up when the average spare KV or queue falls under its trigger, as the WVA doc example', () => {
    // docs/saturation-analyzer.md: spare_kv = 0.80 − usage, spare_queue = 5 − queue, averaged over non-saturated
    expect(
      analyzeSaturation(
        [
          { kvUsage: 0.75, waiting: 1 },
          { kvUsage: 0.72, waiting: 1 },
        ],
        WVA
      ).scaleUp
    ).toBe(true);
    expect(
      analyzeSaturation(
        [
          { kvUsage: 0.3, waiting: 3 },
          { kvUsage: 0.3, waiting: 2 },
        ],
        WVA
      ).scaleUp
    ).toBe(true);
    expect(
      analyzeSaturation(
        [
          { kvUsage: 0.3, waiting: 1 },
          { kvUsage: 0.4, waiting: 0 },
        ],
        WVA
      ).scaleUp
    ).toBe(false);
    expect(analyzeSaturation([{ kvUsage: 0.9, waiting: 0 }], WVA).scaleUp).toBe(true); // all saturated
  });

  it('allows scale-down only when the load spread over one replica fewer keeps both spares', () => {
    // 3 replicas at 0.2 KV, 0 queue: over 2 → 0.3 KV (spare 0.5), 0 queue (spare 5): safe
    expect(
      analyzeSaturation(
        [0.2, 0.2, 0.2].map((kvUsage) => ({ kvUsage, waiting: 0 })),
        WVA
      ).scaleDownSafe
    ).toBe(true);
    // 2 replicas at 0.4 KV: over 1 → 0.8 (spare 0 < 0.1): unsafe
    expect(
      analyzeSaturation(
        [0.4, 0.4].map((kvUsage) => ({ kvUsage, waiting: 0 })),
        WVA
      ).scaleDownSafe
    ).toBe(false);
    expect(analyzeSaturation([{ kvUsage: 0.1, waiting: 0 }], WVA).scaleDownSafe).toBe(false); // needs 2
  });

  it('adds one replica per 60 s decision, and none while one is still provisioning', async () => {
    const fleet = new FakeFleet([H100]);
    const p = new SaturationPolicy(WVA, H100, 1);
    await p.onInterval(fleet.interval(15, 6, 0.5), fleet); // queue 6 ≥ 5: saturated
    expect(fleet.active()).toBe(2);
    await p.onInterval(fleet.interval(30, 6, 0.5), fleet); // inside the 60 s interval: nothing
    await p.onInterval(fleet.interval(75, 6, 0.5), fleet); // decision, but a replica is pending
    expect(fleet.active()).toBe(2);
    fleet.serveAll();
    await p.onInterval(fleet.interval(135, 6, 0.5), fleet);
    expect(fleet.active()).toBe(3);
  });
});

const offer = (o: Partial<Offer>): Offer => ({
  instanceType: 'aws:p5.4xlarge',
  purchaseOption: 'on_demand',
  gpuId: 'H100-SXM',
  usdPerHour: 6.88,
  capacityPerSec: 10,
  leadSec: 196,
  ...o,
});

describe('mission/policies sizing and the oracle replay', () => {
  it('static-peak covers the peak rate with the baseline capacity; the autoscalers open at the first window', async () => {
    const { loadMissionConfig } = await import('../mission-config.js');
    const config = parseMissionConfig(JSON.parse(JSON.stringify(await loadMissionConfig())));
    const requests = [0, 1, 2, 61, 62].map((s, i) => ({
      id: `r${i}`,
      arrivalSec: s,
      promptTokens: 1,
      outputTokens: 1,
    }));
    const ctx = {
      config,
      trace: { spec: config.traces[0]!, requests, excluded: 0, durationSec: 62, peakRatePerSec: 25 },
      offers: [],
      baseline: offer({ capacityPerSec: 10 }),
      short: true,
    } satisfies MissionContext;
    expect(staticPeakSize(ctx)).toBe(3); // ceil(25 / 10)
    expect(openingSize(ctx, 1, 64)).toBe(1); // 3 arrivals in the first 60 s
    expect(openingSize({ ...ctx, baseline: offer({ capacityPerSec: 0.01 }) }, 1, 4)).toBe(4); // capped at max
  });

  it("launches a slot's replicas one provisioning lead ahead and retires them when no slot in sight needs them", async () => {
    const cheap = offer({
      instanceType: 'runpod:1x_L40S_SECURE',
      purchaseOption: 'spot',
      usdPerHour: 0.43,
      leadSec: 100,
    });
    // 60 s slots: 1 req/s, then 25 req/s in [600, 660), then 1 req/s again
    const arrivals: number[] = [];
    for (let t = 0; t < 1200; t += 1) arrivals.push(t);
    for (let t = 600; t < 660; t += 0.04) arrivals.push(t);
    arrivals.sort((a, b) => a - b);
    const plan = planOracle(arrivals, [cheap], 60);
    const p = new OraclePolicy(plan, [cheap], 15);
    const fleet = new FakeFleet(p.initialFleet());
    expect(fleet.active()).toBe(1);
    const activeAt: Record<number, number> = {};
    for (let t = 15; t <= 900; t += 15) {
      await p.onInterval(fleet.interval(t, 0), fleet);
      fleet.serveAll();
      activeAt[t] = fleet.active();
    }
    // 26 req/s needs 3 replicas of 10 req/s; 600 − 100 lead − 15 interval = 485: the first boundary at or after it
    expect(activeAt[480]).toBe(1);
    expect(activeAt[495]).toBe(3);
    expect(activeAt[645]).toBe(3);
    expect(activeAt[660]).toBe(1);
  });
});
