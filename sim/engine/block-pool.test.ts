import { describe, expect, it } from 'vitest';
import { BlockPool } from './block-pool.js';

describe('sim/engine BlockPool', () => {
  it('counts cached blocks nobody references as free, and usage as 1 − free/total', () => {
    const pool = new BlockPool(10);
    pool.allocate(4);
    expect(pool.register('a')).toBe(true);
    expect(pool.register('a')).toBe(false);
    expect(pool.usage).toBeCloseTo(0.4);
    pool.release(3, ['a']);
    expect(pool.numFree).toBe(10);
    expect(pool.lookup(['a', 'b'], 5)).toMatchObject({ gpuKeys: ['a'], evictableHits: 1, blocks: 1 });
  });

  it('evicts the least recently released cached block first, tail of a sequence before its head', () => {
    const pool = new BlockPool(3);
    pool.allocate(3);
    for (const k of ['p0', 'p1', 'p2']) pool.register(k);
    pool.release(0, ['p0', 'p1', 'p2']);
    pool.allocate(1);
    expect(pool.lookup(['p0', 'p1', 'p2'], 3).blocks).toBe(2);
    expect(pool.lookup(['p2'], 1).blocks).toBe(0);
  });

  it('refuses to allocate past its free blocks and keeps referenced blocks', () => {
    const pool = new BlockPool(2);
    pool.allocate(1);
    pool.register('x');
    expect(pool.canAllocate(2)).toBe(false);
    expect(() => pool.allocate(2)).toThrow(/2 blocks requested, 1 free/);
  });

  it('spills evicted blocks to the offload tier and finds them there', () => {
    const pool = new BlockPool(2, [{ name: 'cpu', capacityBlocks: 1, loadSecPerBlock: 0.001 }]);
    pool.allocate(2);
    pool.register('a');
    pool.register('b');
    pool.release(0, ['a', 'b']);
    pool.allocate(2); // evicts b then a; the one-block tier keeps the last spilled
    const hit = pool.lookup(['a'], 1);
    expect(hit.tierKeys).toEqual([{ key: 'a', tier: 0 }]);
    expect(pool.lookup(['b'], 1).blocks).toBe(0);
    expect(pool.tierUsage(0)).toBe(1);
  });
});
