import { describe, expect, it } from 'vitest';
import { readAzureTrace } from './azure-trace-reader.js';
import { compressTime, scaleRate } from './rate-transform.js';
import { collectTrace, type SimRequest } from './sim-request.js';
import { summarizeTrace } from './trace-stats.js';

const AZURE_CODE = '/work/shared/data/traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv';

const sorted = (t: readonly SimRequest[]): boolean =>
  t.every((r, i) => i === 0 || r.arrivalSec >= t[i - 1]!.arrivalSec);

describe('sim/trace compressTime', () => {
  it('divides the duration by the speed-up and keeps every request', async () => {
    const original = await summarizeTrace(readAzureTrace(AZURE_CODE));
    const fast = await summarizeTrace(compressTime(readAzureTrace(AZURE_CODE), 10));
    expect(fast.requests).toBe(original.requests);
    expect(fast.durationSec).toBeCloseTo(original.durationSec / 10, 9);
    expect(fast.promptTokens).toEqual(original.promptTokens);
  });

  it('refuses a speed-up that is not positive', async () => {
    await expect(collectTrace(compressTime([], 0))).rejects.toThrow(/speedUp must be/);
  });
});

describe('sim/trace scaleRate', () => {
  it('doubles arrivals at ×2 and halves them at ×0.5 over the same span, in order', async () => {
    const original = await collectTrace(readAzureTrace(AZURE_CODE));
    const n = original.length;
    const span = original[n - 1]!.arrivalSec;
    const doubled = await collectTrace(scaleRate(original, 2, 1));
    const halved = await collectTrace(scaleRate(original, 0.5, 1));
    expect(Math.abs(doubled.length - 2 * n) / (2 * n)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(halved.length - n / 2) / (n / 2)).toBeLessThanOrEqual(0.01);
    expect(sorted(doubled)).toBe(true);
    expect(sorted(halved)).toBe(true);
    expect(doubled[doubled.length - 1]!.arrivalSec).toBeLessThanOrEqual(span);
    expect(new Set(doubled.map((r) => r.id)).size).toBe(doubled.length);
    // thinning keeps an evenly spread subset: each half of the span keeps about half its requests
    const firstHalf = (t: readonly SimRequest[]): number => t.filter((r) => r.arrivalSec < span / 2).length;
    expect(firstHalf(halved) / firstHalf(original)).toBeCloseTo(0.5, 2);
  });

  it('handles fractional factors within one request', async () => {
    const original = await collectTrace(readAzureTrace(AZURE_CODE));
    for (const f of [0.3, 1.7, 3]) {
      const scaled = await collectTrace(scaleRate(original, f, 9));
      expect(Math.abs(scaled.length - original.length * f)).toBeLessThanOrEqual(1);
    }
  });

  it('is the same for a seed and differs for another', async () => {
    const original = await collectTrace(readAzureTrace(AZURE_CODE));
    const a = await collectTrace(scaleRate(original, 1.5, 3));
    expect(await collectTrace(scaleRate(original, 1.5, 3))).toEqual(a);
    expect(await collectTrace(scaleRate(original, 1.5, 4))).not.toEqual(a);
  });
});
