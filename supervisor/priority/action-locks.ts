import type { ResourceKind } from '../../schemas/index.js';
import type { LockView } from './effects.js';

interface Due {
  key: string;
  proposalId: string;
  expiresAtMs: number;
}

/**
 * Action locks per (workload, resource) on event time: at most one holder per key. A holder
 * keeps the lock until it is released or its deadline passes. Deadlines sit in a min-heap
 * (entries of released or renewed locks are dropped when they surface), so finding the next
 * one to expire costs log n even with a lock on every workload.
 */
export class ActionLocks {
  readonly #locks = new Map<string, LockView>();
  readonly #heap: Due[] = [];

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
    this.#push({ key, proposalId: lock.proposalId, expiresAtMs: lock.expiresAtMs });
  }

  release(workload: string, resource: ResourceKind): LockView | undefined {
    const key = ActionLocks.key(workload, resource);
    const held = this.#locks.get(key);
    this.#locks.delete(key);
    return held;
  }

  /** The lock with the earliest deadline, if that deadline is at or before `atMs`. */
  firstDueBy(atMs: number): LockView | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (!top) return undefined;
      const live = this.#locks.get(top.key);
      if (live?.proposalId !== top.proposalId || live.expiresAtMs !== top.expiresAtMs) {
        this.#pop();
        continue;
      }
      return live.expiresAtMs <= atMs ? { ...live } : undefined;
    }
  }

  /** Locks whose deadline is at or before `atMs`, earliest first. */
  dueBy(atMs: number): LockView[] {
    return [...this.#locks.values()].filter((l) => l.expiresAtMs <= atMs).sort((a, b) => a.expiresAtMs - b.expiresAtMs);
  }

  all(): LockView[] {
    return [...this.#locks.values()].map((l) => ({ ...l }));
  }

  #push(d: Due): void {
    if (this.#heap.length > 2 * this.#locks.size + 1024) this.#compact();
    const h = this.#heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.expiresAtMs <= d.expiresAtMs) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = d;
  }

  /** Drops entries of released or renewed locks once they outnumber the live ones. */
  #compact(): void {
    const live = [...this.#locks.entries()].map(([key, l]) => ({
      key,
      proposalId: l.proposalId,
      expiresAtMs: l.expiresAtMs,
    }));
    this.#heap.length = 0;
    for (const d of live) this.#push(d);
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.expiresAtMs < h[l]!.expiresAtMs ? r : l;
      if (h[c]!.expiresAtMs >= last.expiresAtMs) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
