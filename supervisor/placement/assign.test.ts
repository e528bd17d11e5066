import { describe, expect, it } from 'vitest';
import { assign, movedCount } from './assign.js';

const hostsOf = (n: number, prefix = 'host-'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function loads(a: Map<number, string>, hosts: string[]): number[] {
  const count = new Map(hosts.map((h) => [h, 0]));
  for (const h of a.values()) count.set(h, (count.get(h) ?? 0) + 1);
  return [...count.values()];
}

/** Deterministic PRNG (mulberry32) so the property test replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('placement assign', () => {
  it('returns an empty map without hosts or partitions', () => {
    expect(assign(64, [], new Map()).size).toBe(0);
    expect(assign(0, ['a', 'b'], new Map()).size).toBe(0);
  });

  it('balances within one partition for 1..20 hosts and P in {1, 7, 64, 256}', () => {
    for (const p of [1, 7, 64, 256]) {
      for (let n = 1; n <= 20; n++) {
        const hosts = hostsOf(n);
        const a = assign(p, hosts, new Map());
        expect(a.size).toBe(p);
        const l = loads(a, hosts);
        expect(Math.max(...l) - Math.min(...l), `P=${p} N=${n}`).toBeLessThanOrEqual(1);
        expect(l.filter((x) => x === Math.ceil(p / n)).length).toBeLessThanOrEqual(p % n || n);
      }
    }
  });

  it('assigns every partition to a live host', () => {
    const a = assign(64, ['x', 'y'], new Map([[3, 'gone']]));
    for (let p = 0; p < 64; p++) expect(['x', 'y']).toContain(a.get(p));
  });

  it('is deterministic whatever the host order', () => {
    const hosts = hostsOf(5);
    const cur = new Map([
      [0, 'host-3'],
      [1, 'host-3'],
      [9, 'dead'],
    ]);
    const a = assign(64, hosts, cur);
    const b = assign(64, [...hosts].reverse(), new Map([...cur].reverse()));
    expect([...b]).toEqual([...a]);
  });

  it('moves about P/4 partitions when a 4th host joins 3', () => {
    for (const p of [7, 64, 256]) {
      const three = assign(p, hostsOf(3), new Map());
      const four = assign(p, hostsOf(4), three);
      const moved = movedCount(three, four);
      expect(moved, `P=${p}`).toBeLessThanOrEqual(Math.ceil(p / 4) + 1);
      // every move lands on the newcomer
      for (const [part, h] of four) if (three.get(part) !== h) expect(h).toBe('host-3');
    }
  });

  it("moves only the leaving host's partitions when one of 4 leaves", () => {
    for (const p of [1, 7, 64, 256]) {
      for (const leaving of hostsOf(4)) {
        const four = assign(p, hostsOf(4), new Map());
        const three = assign(
          p,
          hostsOf(4).filter((h) => h !== leaving),
          four
        );
        const owned = [...four.values()].filter((h) => h === leaving).length;
        expect(movedCount(four, three), `P=${p} leaving=${leaving}`).toBe(owned);
      }
    }
  });

  it('keeps a stable layout stable', () => {
    const a = assign(256, hostsOf(7), new Map());
    expect(movedCount(a, assign(256, hostsOf(7), a))).toBe(0);
  });

  it('sheds the lowest-scoring surplus of an over-full host and still balances', () => {
    const all = new Map(Array.from({ length: 64 }, (_, p) => [p, 'a'] as const));
    const a = assign(64, ['a', 'b'], all);
    expect(loads(a, ['a', 'b'])).toEqual([32, 32]);
    expect(movedCount(all, a)).toBe(32);
  });

  it('holds balance, coverage and bounded movement over random host churn (seeded)', () => {
    const next = rng(42);
    for (let round = 0; round < 200; round++) {
      const p = [1, 7, 64, 256][Math.floor(next() * 4)]!;
      const pool = hostsOf(24, `h${round % 3}-`);
      const before = pool.filter(() => next() < 0.5);
      const after = pool.filter((h) => (before.includes(h) ? next() < 0.85 : next() < 0.15));
      const a = assign(p, before, new Map());
      const b = assign(p, after, a);
      if (after.length === 0) {
        expect(b.size).toBe(0);
        continue;
      }
      const l = loads(b, after);
      expect(Math.max(...l) - Math.min(...l)).toBeLessThanOrEqual(1);
      expect(b.size).toBe(p);
      // a partition on a surviving host only moves to make room for balance
      const survivors = new Set(after);
      const orphans = [...a].filter(([, h]) => !survivors.has(h)).length;
      const unassigned = p - a.size;
      const joiners = after.filter((h) => !before.includes(h)).length;
      const bound = orphans + unassigned + joiners * Math.ceil(p / after.length);
      expect(movedCount(a, b)).toBeLessThanOrEqual(bound);
      expect([...assign(p, [...after].reverse(), a)]).toEqual([...b]);
    }
  });
});

describe('placement movedCount', () => {
  it('counts changed, new and vanished partitions', () => {
    const before = new Map([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    const after = new Map([
      [0, 'a'],
      [1, 'c'],
      [3, 'c'],
    ]);
    expect(movedCount(before, after)).toBe(3);
    expect(movedCount(before, before)).toBe(0);
  });
});
