import type { KV } from '@nats-io/kv';
import { z } from 'zod';

/**
 * The supervisor leader's placement: partition → host. Stored in `oi_leases` next to the
 * leases it governs; hosts only act on it by taking leases, so a stale assignment can never
 * create a second owner (the lease CAS decides).
 */
export const ASSIGNMENT_KEY = 'placement.assignment';

export const assignmentV1 = z.object({
  v: z.literal(1),
  /** Epoch of the supervisor leader that wrote it; a lower one is ignored. */
  leaderEpoch: z.number().int().positive(),
  partitions: z.number().int().positive(),
  owners: z.record(z.string(), z.string()),
  updatedAt: z.number().int().nonnegative(),
});
export type Assignment = z.infer<typeof assignmentV1>;

export async function readAssignment(kv: KV): Promise<{ value: Assignment; revision: number } | undefined> {
  const e = await kv.get(ASSIGNMENT_KEY);
  if (!e || e.operation !== 'PUT' || e.length === 0) return undefined;
  const parsed = assignmentV1.safeParse(e.json());
  if (!parsed.success)
    throw new Error(`${ASSIGNMENT_KEY} in oi_leases is corrupt: ${parsed.error.issues[0]?.message ?? ''}`);
  return { value: parsed.data, revision: e.revision };
}

/** Writes the assignment by compare-and-swap; false when another writer got there first. */
export async function writeAssignment(kv: KV, value: Assignment, revision: number | undefined): Promise<boolean> {
  const bytes = JSON.stringify(value);
  try {
    if (revision === undefined) await kv.create(ASSIGNMENT_KEY, bytes);
    else await kv.update(ASSIGNMENT_KEY, bytes, revision);
    return true;
  } catch (err) {
    if (/wrong last sequence|key exists|10071/i.test(String((err as Error).message))) return false;
    throw err;
  }
}

export function ownersToMap(a: Assignment | undefined): Map<number, string> {
  const m = new Map<number, string>();
  if (!a) return m;
  for (const [p, h] of Object.entries(a.owners)) m.set(Number(p), h);
  return m;
}

export function mapToOwners(m: Map<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, h] of [...m.entries()].sort((a, b) => a[0] - b[0])) out[String(p)] = h;
  return out;
}
