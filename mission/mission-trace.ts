import { collectTrace, openTrace } from '../sim/index.js';
import { traceFile, type MissionTrace } from './mission-config.js';
import type { MissionTraceData } from './policy.js';

/** Most arrivals in one window of `windowSec` (windows from second 0), per second. */
export function peakRatePerSec(arrivalsSec: readonly number[], windowSec: number): number {
  const counts = new Map<number, number>();
  for (const t of arrivalsSec) {
    const k = Math.floor(t / windowSec);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let peak = 0;
  for (const c of counts.values()) peak = Math.max(peak, c);
  return peak / windowSec;
}

/** Reads a mission trace: rate-scaled (seeded), cut to the window, too-long requests left out. */
export async function loadMissionTrace(
  spec: MissionTrace,
  o: { seed: number; windowSec?: number; peakWindowSec: number }
): Promise<MissionTraceData> {
  const all = await collectTrace(openTrace(traceFile(spec), { rateScale: spec.rateScale, seed: o.seed }));
  const windowSec = Math.min(o.windowSec ?? Infinity, spec.windowSec ?? Infinity);
  const inWindow = all.filter((r) => r.arrivalSec < windowSec);
  const requests = inWindow.filter((r) => r.promptTokens + r.outputTokens <= spec.maxModelLen);
  if (requests.length === 0) throw new Error(`traces.${spec.name}: no request in the first ${windowSec} s`);
  return {
    spec,
    requests,
    excluded: inWindow.length - requests.length,
    durationSec: requests.at(-1)!.arrivalSec,
    peakRatePerSec: peakRatePerSec(
      requests.map((r) => r.arrivalSec),
      o.peakWindowSec
    ),
  };
}
