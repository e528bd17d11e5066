import { describe, expect, it } from 'vitest';
import { CorruptLeaseError, decodeLease, encodeLease, isLive, partitionKey, singletonKey } from './lease-value.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('leases lease-value', () => {
  it('round-trips a value', () => {
    const v = { v: 1 as const, holder: 'h1', epoch: 3, deadline: 2000, acquiredAt: 1000, renewedAt: 1500 };
    expect(decodeLease('part.1', encodeLease(v))).toEqual(v);
  });

  it('names the key when a value is corrupt, never treating it as free', () => {
    expect(() => decodeLease('part.3', enc('{nope'))).toThrow(CorruptLeaseError);
    expect(() => decodeLease('part.3', enc('{"v":1,"holder":"h"}'))).toThrow(/lease part\.3 .*epoch/);
    expect(() => decodeLease('part.3', enc('{"v":2,"holder":"h","epoch":1}'))).toThrow(/lease part\.3/);
  });

  it('builds keys and refuses bad ones', () => {
    expect(partitionKey(7)).toBe('part.7');
    expect(singletonKey('supervisor')).toBe('singleton.supervisor');
    expect(() => partitionKey(-1)).toThrow();
    expect(() => singletonKey('a.b')).toThrow();
  });

  it('judges liveness by holder and deadline', () => {
    const v = { v: 1 as const, holder: 'h', epoch: 1, deadline: 100, acquiredAt: 0, renewedAt: 0 };
    expect(isLive(v, 99)).toBe(true);
    expect(isLive(v, 100)).toBe(false);
    expect(isLive({ ...v, holder: '' }, 0)).toBe(false);
  });
});
