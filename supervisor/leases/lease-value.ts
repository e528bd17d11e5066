import { z } from 'zod';

/** The persisted value of one lease in `oi_leases` (STYLE.md Schemas 4: carries `v`). */
export const leaseValueV1 = z.object({
  v: z.literal(1),
  /** Host id of the owner; '' when released. */
  holder: z.string(),
  /** Grows by one at every acquisition (DESIGN.md "Fencing"); kept across releases. */
  epoch: z.number().int().nonnegative(),
  /** Wall-clock ms after which anyone may take the lease; 0 when released. */
  deadline: z.number().nonnegative(),
  acquiredAt: z.number().nonnegative(),
  renewedAt: z.number().nonnegative(),
});

export type LeaseValue = z.infer<typeof leaseValueV1>;

/** A lease value with the KV revision it was read at (the CAS token). */
export type StoredLease = LeaseValue & { revision: number };

/** A lease this process holds. */
export interface Lease {
  readonly key: string;
  readonly holder: string;
  readonly epoch: number;
  readonly deadline: number;
  readonly acquiredAt: number;
  /** KV revision of the write that produced this lease; the next renewal CASes on it. */
  readonly revision: number;
}

/** A lease value that fails its schema: never treated as free, always surfaced. */
export class CorruptLeaseError extends Error {
  override name = 'CorruptLeaseError';
  constructor(
    readonly key: string,
    readonly detail: string,
    options?: ErrorOptions
  ) {
    super(`lease ${key} holds a corrupt value: ${detail}`, options);
  }
}

/** KV key of a partition's lease. */
export function partitionKey(partition: number): string {
  if (!Number.isInteger(partition) || partition < 0) {
    throw new Error(`partition must be a non-negative integer, got ${partition}`);
  }
  return `part.${partition}`;
}

/** KV key of a singleton's lease, e.g. `singleton.supervisor`. */
export function singletonKey(name: string): string {
  if (!/^[-_=a-zA-Z0-9]+$/.test(name)) throw new Error(`singleton name must be one KV token, got '${name}'`);
  return `singleton.${name}`;
}

const KEY = /^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$/;

export function assertLeaseKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid lease key '${key}': dot-separated tokens of [-/_=a-zA-Z0-9]`);
}

export function encodeLease(value: LeaseValue): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(leaseValueV1.parse(value)));
}

/** Parses and validates stored bytes; throws `CorruptLeaseError` naming the key. */
export function decodeLease(key: string, bytes: Uint8Array): LeaseValue {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new CorruptLeaseError(key, 'not JSON', { cause: err });
  }
  const parsed = leaseValueV1.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CorruptLeaseError(key, detail, { cause: parsed.error });
  }
  return parsed.data;
}

/** True while the lease is held by someone and its deadline has not passed. */
export function isLive(value: LeaseValue, now: number): boolean {
  return value.holder !== '' && now < value.deadline;
}
