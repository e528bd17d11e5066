import type { ResourceKind } from '../../schemas/index.js';
import type { LockView } from './effects.js';

/**
 * Action locks per (workload, resource) on event time: at most one holder per key. A holder
 * keeps the lock until it is released or its deadline passes.
 */
export class ActionLocks {
  readonly #locks = new Map<string, LockView>();

  static key(workload: string, resource: ResourceKind): string {
    return `${workload}/${resource}`;
  }

  holder(workload: string, resource: ResourceKind): LockView | undefined {
    return this.#locks.get(ActionLocks.key(workload, resource));
  }

  byProposal(proposalId: string): LockView | undefined {
    for (const l of this.#locks.values()) if (l.proposalId === proposalId) return l;
    return undefined;
  }

  /** Takes the lock; throws if another proposal holds it (callers release or pre-empt first). */
  acquire(lock: LockView): void {
    const key = ActionLocks.key(lock.workload, lock.resource);
    const held = this.#locks.get(key);
    if (held && held.proposalId !== lock.proposalId) {
      throw new Error(
        `action lock ${key} is held by ${held.proposalId}; release it before ${lock.proposalId} takes it`
      );
    }
    this.#locks.set(key, { ...lock });
  }

  release(workload: string, resource: ResourceKind): LockView | undefined {
    const key = ActionLocks.key(workload, resource);
    const held = this.#locks.get(key);
    this.#locks.delete(key);
    return held;
  }

  /** Locks whose deadline is at or before `atMs`, earliest first. */
  dueBy(atMs: number): LockView[] {
    return [...this.#locks.values()].filter((l) => l.expiresAtMs <= atMs).sort((a, b) => a.expiresAtMs - b.expiresAtMs);
  }

  all(): LockView[] {
    return [...this.#locks.values()].map((l) => ({ ...l }));
  }
}
