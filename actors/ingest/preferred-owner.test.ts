import { describe, expect, it } from 'vitest';
import { preferredOwner } from './preferred-owner.js';

const owners = (n: number, members: string[]): string[] =>
  Array.from({ length: n }, (_, i) => preferredOwner(i, members)!);

describe('ingest preferredOwner', () => {
  it('has no owner without members and one owner per source otherwise, whatever the member order', () => {
    expect(preferredOwner(0, [])).toBeUndefined();
    expect(owners(67, ['a', 'b', 'c'])).toEqual(owners(67, ['c', 'a', 'b']));
  });

  it('spreads 67 sources over 3 members without starving any', () => {
    const counts = new Map<string, number>();
    for (const o of owners(67, ['ingest-a', 'ingest-b', 'ingest-c'])) counts.set(o, (counts.get(o) ?? 0) + 1);
    expect(counts.size).toBe(3);
    for (const c of counts.values()) expect(c).toBeGreaterThan(10);
  });

  it('moves only the departed member’s sources when one leaves', () => {
    const before = owners(67, ['a', 'b', 'c']);
    const after = owners(67, ['a', 'c']);
    before.forEach((o, i) => {
      if (o !== 'b') expect(after[i]).toBe(o);
      else expect(['a', 'c']).toContain(after[i]);
    });
  });
});
