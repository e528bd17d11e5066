import { describe, expect, it } from 'vitest';
import { fnv1a32, rendezvousScore } from './rendezvous.js';

describe('placement rendezvous', () => {
  it('computes the reference FNV-1a values', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('is deterministic and differs across hosts and partitions', () => {
    expect(rendezvousScore(7, 'host-1')).toBe(rendezvousScore(7, 'host-1'));
    expect(rendezvousScore(7, 'host-1')).not.toBe(rendezvousScore(7, 'host-2'));
    expect(rendezvousScore(7, 'host-1')).not.toBe(rendezvousScore(8, 'host-1'));
  });

  it('spreads first choices evenly across similar host names', () => {
    const hosts = Array.from({ length: 8 }, (_, i) => `host-${i}`);
    const wins = new Map<string, number>();
    for (let p = 0; p < 8000; p++) {
      const top = hosts.reduce((a, b) => (rendezvousScore(p, b) > rendezvousScore(p, a) ? b : a));
      wins.set(top, (wins.get(top) ?? 0) + 1);
    }
    for (const h of hosts) expect(wins.get(h) ?? 0).toBeGreaterThan(800);
  });
});
