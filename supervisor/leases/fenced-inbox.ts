import type { Envelope } from '../../schemas/index.js';
import { EpochGuard } from './epoch-guard.js';

export type InboxOutcome =
  | { kind: 'fence'; partition: number; epoch: number }
  | { kind: 'apply' }
  | { kind: 'duplicate' }
  | { kind: 'stale'; reason: string };

/**
 * The receiving end of fencing (DESIGN.md): reads effects in stream order, raises the
 * partition's epoch mark on every fence, rejects effects stamped with a lower epoch, and
 * applies each effect id at most once.
 */
export class FencedInbox {
  readonly guard = new EpochGuard();
  readonly #applied = new Set<string>();

  get applied(): number {
    return this.#applied.size;
  }

  /** `partition` and `epoch` come from the effect's Oi-Partition and Oi-Epoch headers. */
  accept(env: Envelope, stamp: { partition: number; epoch: number } | undefined): InboxOutcome {
    if (env.schema === 'oi.rec.fence.v1') {
      const f = env.data as { partition: number; epoch: number };
      this.guard.check(f.partition, f.epoch);
      return { kind: 'fence', partition: f.partition, epoch: f.epoch };
    }
    if (!stamp) return { kind: 'stale', reason: `effect ${env.id} carries no epoch` };
    const g = this.guard.check(stamp.partition, stamp.epoch);
    if (!g.ok) return { kind: 'stale', reason: g.reason };
    if (this.#applied.has(env.id)) return { kind: 'duplicate' };
    this.#applied.add(env.id);
    return { kind: 'apply' };
  }
}
