import { describe, expect, it } from 'vitest';
import type { SimRequest } from './sim-request.js';
import { summarizeTrace } from './trace-stats.js';

const req = (i: number, arrivalSec: number, promptTokens: number, outputTokens: number): SimRequest => ({
  id: `r${i}`,
  arrivalSec,
  promptTokens,
  outputTokens,
});

describe('sim/trace summarizeTrace', () => {
  it('reports duration, count, mean/p50/p99 tokens and the peak minute', async () => {
    // prompts 1..100 (mean 50.5, nearest-rank p50 = 50, p99 = 99); 3 arrivals in minute 0, 97 spread later
    const trace = Array.from({ length: 100 }, (_, i) => req(i, i < 3 ? i : 60 + i * 10, i + 1, 2 * (i + 1)));
    const s = await summarizeTrace(trace);
    expect(s.requests).toBe(100);
    expect(s.durationSec).toBe(60 + 99 * 10);
    expect(s.promptTokens).toEqual({ mean: 50.5, p50: 50, p99: 99 });
    expect(s.outputTokens).toEqual({ mean: 101, p50: 100, p99: 198 });
    // minutes from the first arrival: 3 in [0,60), then one every 10 s → 6 per minute
    expect(s.peakPerMinute).toBe(6);
  });

  it('summarises an empty trace as zeros', async () => {
    const s = await summarizeTrace([]);
    expect(s).toMatchObject({ requests: 0, durationSec: 0, peakPerMinute: 0 });
  });
});
