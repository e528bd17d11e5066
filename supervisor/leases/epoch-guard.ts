import { z } from 'zod';

export type EpochCheck = { ok: true } | { ok: false; reason: string };

/** What `EpochGuard.snapshot()` returns; persisted by receivers, so it carries `v`. */
export const epochGuardSnapshotV1 = z.object({
  v: z.literal(1),
  highest: z.record(z.string(), z.number().int().positive()),
});
export type EpochGuardSnapshot = z.infer<typeof epochGuardSnapshotV1>;

/**
 * The receiver side of fencing (DESIGN.md "Fencing"): remembers the highest epoch seen per
 * partition and rejects effects decided under a lower one. Pure and in memory; receivers
 * persist `snapshot()` with their own state and `restore()` it on start.
 */
export class EpochGuard {
  readonly #highest = new Map<string, number>();

  /** Accepts `epoch` if it is at least the highest seen for `partition` (raising the mark). */
  check(partition: number | string, epoch: number): EpochCheck {
    if (!Number.isInteger(epoch) || epoch < 1) {
      return { ok: false, reason: `invalid epoch ${epoch} for partition ${partition}: must be a positive integer` };
    }
    const key = String(partition);
    const highest = this.#highest.get(key);
    if (highest !== undefined && epoch < highest) {
      return { ok: false, reason: `stale epoch ${epoch} for partition ${partition}: highest seen is ${highest}` };
    }
    if (highest === undefined || epoch > highest) this.#highest.set(key, epoch);
    return { ok: true };
  }

  /** The mark for `partition`, if any effect was accepted for it. */
  highest(partition: number | string): number | undefined {
    return this.#highest.get(String(partition));
  }

  snapshot(): EpochGuardSnapshot {
    const keys = [...this.#highest.keys()].sort();
    return { v: 1, highest: Object.fromEntries(keys.map((k) => [k, this.#highest.get(k) ?? 0])) };
  }

  /** Merges a persisted snapshot in, keeping the higher mark per partition; validates it. */
  restore(snapshot: unknown): void {
    const parsed = epochGuardSnapshotV1.parse(snapshot);
    for (const [key, epoch] of Object.entries(parsed.highest)) {
      const mine = this.#highest.get(key);
      if (mine === undefined || epoch > mine) this.#highest.set(key, epoch);
    }
  }
}
