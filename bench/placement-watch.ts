import type { Bus } from '../bus/index.js';
import { readPlacementState, type LeaseStore } from '../supervisor/index.js';
import { check } from '../testkit/index.js';

/**
 * Settled: `hosts` are live, every partition's lease is live and held by the host the
 * assignment names, and the spread is even within 2 (readPlacementState, as an operator sees it).
 */
export async function waitSettled(
  bus: Bus,
  partitions: number,
  ttlMs: number,
  hosts: readonly string[],
  timeoutMs = 60_000
): Promise<void> {
  const want = new Set(hosts);
  await check(
    async () => {
      const s = await readPlacementState(bus, partitions, ttlMs);
      const live = s.leases.filter((l) => l.live && l.assigned_to === l.holder && want.has(l.holder));
      if (s.hosts.length !== want.size || !s.hosts.every((h) => want.has(h.host)) || live.length !== partitions) {
        return false;
      }
      const counts = hosts.map((h) => live.filter((l) => l.holder === h).length);
      return Math.max(...counts) - Math.min(...counts) <= 2;
    },
    timeoutMs,
    { name: `${hosts.length} hosts settled`, intervalMs: 100 }
  );
}

/** Every partition lease live (deadline ahead) and held by one of `holders`; reads the leases directly. */
export async function allHeldBy(store: LeaseStore, partitions: number, holders: ReadonlySet<string>): Promise<boolean> {
  const leases = await store.readAll('part.');
  if (leases.size < partitions) return false;
  const now = Date.now();
  for (const l of leases.values()) if (!(l.deadline > now && holders.has(l.holder))) return false;
  return true;
}

/** The partitions whose live lease `holder` has. */
export async function heldPartitions(store: LeaseStore, holder: string): Promise<number[]> {
  const now = Date.now();
  return [...(await store.readAll('part.'))]
    .filter(([, l]) => l.holder === holder && l.deadline > now)
    .map(([k]) => Number(k.slice('part.'.length)));
}

/** Same check through readPlacementState, to confirm what the direct reads timed. */
export async function confirmHeldBy(
  bus: Bus,
  partitions: number,
  ttlMs: number,
  holders: ReadonlySet<string>
): Promise<boolean> {
  const s = await readPlacementState(bus, partitions, ttlMs);
  return s.leases.length === partitions && s.leases.every((l) => l.live && holders.has(l.holder));
}
