import type { ResourceConfig } from './resource-config.js';
import type { NodeMemory } from './node-memory.js';

export type PressureSeverity = 'low' | 'medium' | 'high' | 'critical';

/** A node's memory-pressure score (0–100) and the parts it is made of, each in [0, 1]. */
export interface MemoryPressure {
  node: string;
  score: number;
  severity: PressureSeverity;
  parts: { kv: number; preemption: number; waiting: number; gpuMemory: number; oom: number };
  /** OOM kills or restarts seen in the window (restarted counters plus failed scrapes). */
  oomEvents: number;
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
const ramp = (x: number, lo: number, hi: number): number => clamp01((x - lo) / (hi - lo));

/**
 * Seed 000 §8.4.1, on what vLLM exposes: score = Σ weight × part, where
 * kv = ramp(KV usage p95, 0.80 → 0.98); preemption = preempted / finished ÷ 0.05;
 * waiting = mean waiting / mean running ÷ 1; gpuMemory = ramp(used share, 0.92 → 0.98);
 * oom = (restarts + failed scrapes) ÷ 1, each part clipped to [0, 1]. Default weights
 * 30/30/15/10/15 (resource-config.ts). Severity: > 80 critical, > 60 high, > 40 medium.
 */
export function memoryPressure(n: NodeMemory, cfg: ResourceConfig): MemoryPressure {
  const oomEvents = n.restarts + n.downSamples;
  const parts = {
    kv: ramp(n.kvUsageP95, cfg.kvUsageLow, cfg.kvUsageHigh),
    preemption: clamp01(n.preemptions / Math.max(1, n.finished) / cfg.preemptionShareFull),
    waiting: clamp01(n.waitingMean / Math.max(1, n.runningMean) / cfg.waitingPerRunningFull),
    gpuMemory:
      n.gpuMemoryUsedShare === null ? 0 : ramp(n.gpuMemoryUsedShare, cfg.gpuMemoryShareLow, cfg.gpuMemoryShareHigh),
    oom: clamp01(oomEvents / cfg.oomEventsFull),
  };
  const w = cfg.pressureWeights;
  const score =
    Math.round(
      (w.kv * parts.kv +
        w.preemption * parts.preemption +
        w.waiting * parts.waiting +
        w.gpuMemory * parts.gpuMemory +
        w.oom * parts.oom) *
        10
    ) / 10;
  const s = cfg.severity;
  const severity: PressureSeverity =
    score > s.critical ? 'critical' : score > s.high ? 'high' : score > s.medium ? 'medium' : 'low';
  return { node: n.node, score, severity, parts, oomEvents };
}

/** KV is short on this node: preemptions happened, or usage sat at the top. */
export function kvShort(n: NodeMemory, cfg: ResourceConfig): boolean {
  return n.preemptions > 0 || n.kvUsageP95 >= cfg.kvUsageHigh;
}
