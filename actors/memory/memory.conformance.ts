/**
 * The behaviour every OutcomeMemory promises (STYLE.md Tests 7), run over pgvector
 * (`tests/pgvector-memory.int.test.ts`) and Qdrant (`tests/qdrant-memory.int.test.ts`, only with
 * QDRANT_URL). Tests share one store, so each works under its own workload.
 */
import { describe, expect, it } from 'vitest';
import type { ActionSpec } from '../../schemas/index.js';
import { featureVector, l2, similarityOf, type SituationFeatures } from './features.js';
import type { OutcomeMemory, OutcomeRecord } from './outcome-memory.js';

let workloads = 0;
const freshWorkload = (): string => `wl-mem-${Date.now().toString(36)}-${workloads++}`;

/** A mid-range situation; the "as is" features sit at 0.5 so planted offsets stay inside [0, 1]. */
export const BASE: SituationFeatures = {
  kv_usage_mean: 0.5,
  kv_usage_max: 0.5,
  preemptions_per_request: 0.01,
  waiting_per_running: 0.5,
  gpu_util_pct: 50,
  requests_per_s: 20,
  prompt_tokens_per_request: 1000,
  output_tokens_per_request: 200,
  ttft_p95_over_slo: 0.6,
  usd_per_hour: 12,
  replicas: 4,
  replicas_up_share: 0.5,
  spot_share: 0.5,
  prefix_hit_rate: 0.5,
  quality_score: 0.5,
  hour_of_day: 6,
};

const SCALE_UP: ActionSpec = { kind: 'scale_replicas', from: 4, to: 5 };
const OFFLOAD: ActionSpec = { kind: 'enable_kv_offload', cpu_gib: 64 };

function outcome(
  workload: string,
  id: string,
  features: SituationFeatures,
  over: Partial<OutcomeRecord> = {}
): OutcomeRecord {
  return {
    id,
    workload,
    agent: 'resource',
    strategy: 'resource.scale-out',
    action: SCALE_UP,
    features,
    predicted: { usd_per_month: 2000 },
    measured: { usd_per_month: 1800 },
    kept: true,
    decidedAt: Date.parse('2026-11-24T10:00:00Z'),
    ...over,
  };
}

/** Seeded far-away situations: every "as is" feature moved by ≥ 0.4, so ≥ 0.4 × √6 ≈ 0.98 away. */
function noise(i: number): SituationFeatures {
  const r = ((i * 2654435761) % 1000) / 1000;
  const far = r < 0.5 ? 0.95 - r / 10 : 0.05 + (r - 0.5) / 10;
  return {
    ...BASE,
    kv_usage_mean: far,
    kv_usage_max: far,
    replicas_up_share: far,
    spot_share: far,
    prefix_hit_rate: far,
    quality_score: far,
    gpu_util_pct: 5 + i,
  };
}

export function describeOutcomeMemory(name: string, memory: () => OutcomeMemory): void {
  describe(`actors outcome memory conformance: ${name}`, () => {
    it('returns the planted nearest cases first, in order, with their L2 distance', async () => {
      const wl = freshWorkload();
      for (let i = 0; i < 30; i++) await memory().record(outcome(wl, `${wl}-noise-${i}`, noise(i)));
      const near1 = { ...BASE, kv_usage_mean: 0.51 };
      const near2 = { ...BASE, kv_usage_mean: 0.55, kv_usage_max: 0.55 };
      const near3 = { ...BASE, quality_score: 0.7 };
      // planted out of order, so insertion order cannot explain the answer
      await memory().record(outcome(wl, `${wl}-near3`, near3));
      await memory().record(outcome(wl, `${wl}-near1`, near1));
      await memory().record(outcome(wl, `${wl}-near2`, near2));
      const got = await memory().similar(BASE, 3, { workload: wl });
      expect(got.map((c) => c.id)).toEqual([`${wl}-near1`, `${wl}-near2`, `${wl}-near3`]);
      // distances on the normalised vectors: 0.01, √2 × 0.05, 0.2
      const expected = [0.01, Math.SQRT2 * 0.05, 0.2];
      got.forEach((c, i) => {
        expect(c.distance).toBeCloseTo(expected[i]!, 4);
        expect(c.distance).toBeCloseTo(l2(featureVector(BASE), featureVector([near1, near2, near3][i]!)), 4);
        expect(c.similarity).toBeCloseTo(similarityOf(expected[i]!), 4);
      });
    });

    it('keeps the outcome as recorded: action, predicted and measured impact, verdict', async () => {
      const wl = freshWorkload();
      await memory().record(
        outcome(wl, `${wl}-a`, BASE, {
          agent: 'resource',
          strategy: 'resource.kv-offload',
          action: OFFLOAD,
          predicted: { usd_per_month: 0, gpu_memory_gib_delta: -12 },
          measured: { usd_per_month: 0, gpu_memory_gib_delta: -9.5 },
          kept: false,
          decidedAt: Date.parse('2026-11-20T08:30:00Z'),
        })
      );
      const [c] = await memory().similar(BASE, 1, { workload: wl });
      expect(c).toMatchObject({
        id: `${wl}-a`,
        workload: wl,
        agent: 'resource',
        strategy: 'resource.kv-offload',
        action: OFFLOAD,
        predicted: { usd_per_month: 0, gpu_memory_gib_delta: -12 },
        measured: { usd_per_month: 0, gpu_memory_gib_delta: -9.5 },
        predictedUsdPerMonth: 0,
        measuredUsdPerMonth: 0,
        kept: false,
        decidedAt: Date.parse('2026-11-20T08:30:00Z'),
      });
      expect(c!.distance).toBeCloseTo(0, 6);
      expect(c!.similarity).toBeCloseTo(1, 6);
    });

    it('filters by agent, strategy and action kind', async () => {
      const wl = freshWorkload();
      await memory().record(outcome(wl, `${wl}-scale`, BASE));
      await memory().record(
        outcome(
          wl,
          `${wl}-offload`,
          { ...BASE, kv_usage_mean: 0.6 },
          { strategy: 'resource.kv-offload', action: OFFLOAD }
        )
      );
      await memory().record(
        outcome(wl, `${wl}-cost`, { ...BASE, kv_usage_mean: 0.52 }, { agent: 'cost', strategy: 'cost.autoscale' })
      );
      const ids = async (f: Parameters<OutcomeMemory['similar']>[2]): Promise<string[]> =>
        (await memory().similar(BASE, 10, { workload: wl, ...f })).map((c) => c.id);
      expect(await ids({})).toEqual([`${wl}-scale`, `${wl}-cost`, `${wl}-offload`]);
      expect(await ids({ actionKind: 'enable_kv_offload' })).toEqual([`${wl}-offload`]);
      expect(await ids({ agent: 'cost' })).toEqual([`${wl}-cost`]);
      expect(await ids({ agent: 'resource', strategy: 'resource.scale-out' })).toEqual([`${wl}-scale`]);
    });

    it('replaces an outcome recorded again under the same id', async () => {
      const wl = freshWorkload();
      await memory().record(outcome(wl, `${wl}-x`, BASE, { kept: true }));
      await memory().record(outcome(wl, `${wl}-x`, BASE, { kept: false, measured: { usd_per_month: 100 } }));
      const got = await memory().similar(BASE, 10, { workload: wl });
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ kept: false, measuredUsdPerMonth: 100 });
    });

    it('returns fewer than k when fewer match, and refuses a bad k or a bad outcome naming the field', async () => {
      const wl = freshWorkload();
      await memory().record(outcome(wl, `${wl}-only`, BASE));
      expect(await memory().similar(BASE, 5, { workload: wl })).toHaveLength(1);
      await expect(memory().similar(BASE, 0)).rejects.toThrow(/k must be an integer in \[1, 100\]/);
      await expect(memory().record(outcome(wl, `${wl}-bad`, { ...BASE, kv_usage_max: Number.NaN }))).rejects.toThrow(
        /kv_usage_max must be a finite number/
      );
      await expect(
        memory().record(
          outcome(wl, `${wl}-bad2`, BASE, { action: { kind: 'scale_replicas', from: 1 } as unknown as ActionSpec })
        )
      ).rejects.toThrow(/action\.to/);
    });
  });
}
