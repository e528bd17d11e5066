import { describe, expect, it } from 'vitest';
import { collectTrace } from './sim-request.js';
import {
  DEFAULT_SYNTHETIC_PARAMS,
  generateSyntheticTrace,
  syntheticBursts,
  type SyntheticTraceParams,
} from './synthetic-trace.js';
import { summarizeTrace } from './trace-stats.js';

const FLAT: Partial<SyntheticTraceParams> = { diurnalAmplitude: 0, burstsPerHour: 0 };

describe('sim/trace generateSyntheticTrace', () => {
  it('is identical for a seed and different for another', () => {
    const a = [...generateSyntheticTrace({ durationSec: 600 }, 5)];
    expect(a.length).toBeGreaterThan(0);
    expect([...generateSyntheticTrace({ durationSec: 600 }, 5)]).toEqual(a);
    expect([...generateSyntheticTrace({ durationSec: 600 }, 6)]).not.toEqual(a);
  });

  it('draws Poisson arrivals at the asked mean rate', () => {
    // 5 req/s × 2000 s = 10,000 expected; Poisson sd = 100 (1%), allow 4 sd
    const n = [...generateSyntheticTrace({ ...FLAT, meanRatePerSec: 5, durationSec: 2000 }, 1)].length;
    expect(n).toBeGreaterThan(9600);
    expect(n).toBeLessThan(10_400);
  });

  it('draws lognormal token lengths with the asked medians', async () => {
    const s = await summarizeTrace(
      generateSyntheticTrace(
        {
          ...FLAT,
          durationSec: 2000,
          promptTokens: { median: 1020, sigma: 0.5, max: 100_000 },
          outputTokens: { median: 129, sigma: 1, max: 100_000 },
        },
        2
      )
    );
    expect(s.promptTokens.p50 / 1020).toBeGreaterThan(0.97);
    expect(s.promptTokens.p50 / 1020).toBeLessThan(1.03);
    expect(s.outputTokens.p50 / 129).toBeGreaterThan(0.95);
    expect(s.outputTokens.p50 / 129).toBeLessThan(1.05);
    // lognormal mean = median·exp(σ²/2): 1020·e^0.125 ≈ 1155.6 (the Azure conv mean the default is built on)
    expect(s.promptTokens.mean).toBeGreaterThan(1130);
    expect(s.promptTokens.mean).toBeLessThan(1180);
  });

  it('follows the diurnal sinusoid: more arrivals around the peak than around the trough', () => {
    const period = 3600;
    const trace = [
      ...generateSyntheticTrace(
        {
          burstsPerHour: 0,
          meanRatePerSec: 4,
          durationSec: period,
          diurnalPeriodSec: period,
          diurnalPeakSec: 900,
          diurnalAmplitude: 0.8,
        },
        3
      ),
    ];
    const around = (c: number): number => trace.filter((r) => Math.abs(r.arrivalSec - c) < 300).length;
    // expected ratio of the 600-s windows ≈ (1 + 0.8·0.83) / (1 − 0.8·0.83) ≈ 4.9
    expect(around(900) / around(2700)).toBeGreaterThan(3.5);
  });

  it('multiplies the rate during bursts', () => {
    const params: Partial<SyntheticTraceParams> = {
      diurnalAmplitude: 0,
      meanRatePerSec: 2,
      durationSec: 7200,
      burstsPerHour: 4,
      burstDurationSec: 120,
      burstRateMultiplier: 4,
    };
    const bursts = syntheticBursts({ ...DEFAULT_SYNTHETIC_PARAMS, ...params }, 8);
    expect(bursts.length).toBeGreaterThan(0);
    const trace = [...generateSyntheticTrace(params, 8)];
    const inBurst = (t: number): boolean => bursts.some((s) => t >= s && t < s + 120);
    let burstSec = 0;
    for (let t = 0; t < 7200; t++) if (inBurst(t + 0.5)) burstSec++;
    const burstRate = trace.filter((r) => inBurst(r.arrivalSec)).length / burstSec;
    const calmRate = trace.filter((r) => !inBurst(r.arrivalSec)).length / (7200 - burstSec);
    expect(burstRate / calmRate).toBeGreaterThan(3);
    expect(burstRate / calmRate).toBeLessThan(5);
  });

  it('gives shared-prefix requests the same leading hashes and others unique ones', async () => {
    const trace = await collectTrace(
      generateSyntheticTrace({ ...FLAT, durationSec: 300, sharedPrefix: { groups: 2, blocks: 3, share: 0.5 } }, 4)
    );
    const shared = trace.filter((r) => r.prefixHashes![0]! < 6);
    expect(shared.length / trace.length).toBeGreaterThan(0.4);
    expect(shared.length / trace.length).toBeLessThan(0.6);
    for (const r of trace) expect(r.prefixHashes!.length).toBe(Math.ceil(r.promptTokens / 512));
    const unique = trace.flatMap((r) => r.prefixHashes!.filter((h) => h >= 6));
    expect(new Set(unique).size).toBe(unique.length);
  });

  it('names a bad parameter', () => {
    expect(() => [...generateSyntheticTrace({ diurnalAmplitude: 2 }, 1)]).toThrow(
      /diurnalAmplitude must be in \[0, 1\]/
    );
  });
});
