import type { ActorLogic, AnyActorLogic, HostEffect } from '../actors/index.js';
import type { Envelope, GpuTelemetry } from '../schemas/index.js';

/** Samples each kind keeps: one minute at one sample per second, what an agent's analyzers read. */
export const WINDOW_SAMPLES = 60;

/** A rolling window of a few numbers per sample, as an agent's observe step keeps it. */
export interface WindowState {
  /** Samples seen; the next one goes to slot `seen % WINDOW_SAMPLES`. */
  seen: number;
  lastTsMs: number;
  /** Ring of WINDOW_SAMPLES rows × the kind's metrics, row-major, preallocated at full size. */
  ring: number[];
}

/** Numbers each kind takes from a sample. */
const WIDTH = 3;
type Metrics = (t: GpuTelemetry) => [number, number, number];

const mean = (t: GpuTelemetry, f: (g: GpuTelemetry['gpus'][number]) => number | null | undefined): number => {
  let sum = 0;
  for (const g of t.gpus) sum += f(g) ?? 0;
  return sum / t.gpus.length;
};

/** What each agent watches of a GPU sample (DESIGN.md "Agents"). */
const METRICS: Record<string, Metrics> = {
  // spend follows board power and how busy the paid-for GPU is
  'bench-cost': (t) => [mean(t, (g) => g.power_w), mean(t, (g) => g.util_pct), t.gpus.length],
  // throughput headroom: busy share, SM clock (throttling), memory bandwidth use
  'bench-performance': (t) => [
    mean(t, (g) => g.util_pct),
    mean(t, (g) => g.sm_clock_mhz),
    mean(t, (g) => g.mem_util_pct),
  ],
  // OOM risk: memory share, temperature
  'bench-resource': (t) => [
    mean(t, (g) => g.memory_used_mib / g.memory_total_mib),
    mean(t, (g) => g.mem_util_pct),
    mean(t, (g) => g.temp_c),
  ],
  // quality regressions show as throttling or thermal events under the same load
  'bench-application': (t) => [mean(t, (g) => g.util_pct), mean(t, (g) => g.power_w), mean(t, (g) => g.temp_c)],
};

function windowLogic(kind: string, metrics: Metrics): ActorLogic<WindowState, Envelope, HostEffect> {
  const width = WIDTH;
  return {
    kind,
    version: 1,
    initial: () => ({ seen: 0, lastTsMs: 0, ring: new Array<number>(WINDOW_SAMPLES * width).fill(0) }),
    receive(state, msg, ctx) {
      const values = metrics(msg.data as GpuTelemetry);
      const ring = state.ring.slice();
      const base = (state.seen % WINDOW_SAMPLES) * width;
      for (let i = 0; i < width; i++) ring[base + i] = values[i as 0 | 1 | 2];
      // agents propose rarely, from their analyzers on a tick: no effect per message
      return { state: { seen: state.seen + 1, lastTsMs: ctx.now, ring }, effects: [] };
    },
  };
}

/** The four agent-shaped kinds the actors bench runs for every workload. */
export const WINDOW_LOGICS: AnyActorLogic<HostEffect>[] = Object.entries(METRICS).map(
  ([kind, m]) => windowLogic(kind, m) as AnyActorLogic<HostEffect>
);
export const WINDOW_KINDS: string[] = Object.keys(METRICS);
