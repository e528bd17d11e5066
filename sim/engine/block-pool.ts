/** A block's content key: a prefix-chained string, or a number unique to one request's block. */
export type BlockKey = string | number;

/** A tier KV blocks spill to when evicted from GPU memory (CPU DRAM, local NVMe). */
export interface OffloadTier {
  name: 'cpu' | 'disk';
  capacityBlocks: number;
  /** Seconds to bring one block back into GPU memory. */
  loadSecPerBlock: number;
}

/** Where each block of a prefix was found: on the GPU or in an offload tier (by index). */
export interface PrefixLookup {
  gpuKeys: BlockKey[];
  tierKeys: { key: BlockKey; tier: number }[];
  /** Cached GPU blocks nobody references: acquiring them takes them off the free list. */
  evictableHits: number;
  /** Blocks in prefix order, whatever their location. */
  blocks: number;
}

/**
 * vLLM's paged KV pool with prefix caching: blocks are ref-counted by content key; blocks nobody
 * references stay cached and sit in an LRU queue until a new allocation evicts them. Blocks with no
 * content key are used before cached ones (vLLM keeps one queue; its freed tail blocks come first).
 */
export class BlockPool {
  private freeUncached: number;
  private readonly refs = new Map<BlockKey, number>();
  private readonly evictable = new Map<BlockKey, true>();
  private readonly tierLru: Map<BlockKey, true>[];

  constructor(
    readonly numBlocks: number,
    readonly tiers: readonly OffloadTier[] = []
  ) {
    this.freeUncached = numBlocks;
    this.tierLru = tiers.map(() => new Map<BlockKey, true>());
  }

  get numFree(): number {
    return this.freeUncached + this.evictable.size;
  }

  /** vLLM's `kv_cache_usage_perc`: 1 − free/total, cached-but-unreferenced blocks counting as free. */
  get usage(): number {
    return 1 - this.numFree / this.numBlocks;
  }

  tierUsage(tier: number): number {
    const t = this.tiers[tier];
    return t ? (this.tierLru[tier]?.size ?? 0) / t.capacityBlocks : 0;
  }

  /** Longest prefix of `keys` present on the GPU or in a tier, at most `maxBlocks` long. */
  lookup(keys: readonly BlockKey[], maxBlocks: number): PrefixLookup {
    const out: PrefixLookup = { gpuKeys: [], tierKeys: [], evictableHits: 0, blocks: 0 };
    const n = Math.min(keys.length, maxBlocks);
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      if (this.refs.has(key)) {
        out.gpuKeys.push(key);
        if (this.evictable.has(key)) out.evictableHits++;
      } else {
        const tier = this.tierLru.findIndex((lru) => lru.has(key));
        if (tier < 0) break;
        out.tierKeys.push({ key, tier });
      }
      out.blocks++;
    }
    return out;
  }

  canAllocate(blocks: number): boolean {
    return blocks <= this.numFree;
  }

  /** Takes a reference on cached blocks found by `lookup`, and loads its tier blocks into fresh ones. */
  acquire(hit: PrefixLookup): void {
    for (const key of hit.gpuKeys) {
      this.evictable.delete(key);
      this.refs.set(key, (this.refs.get(key) ?? 0) + 1);
    }
    for (const { key } of hit.tierKeys) {
      this.takeBlocks(1);
      this.refs.set(key, (this.refs.get(key) ?? 0) + 1);
    }
  }

  /** Allocates fresh blocks, evicting least recently used cached blocks when needed. */
  allocate(blocks: number): void {
    if (!this.canAllocate(blocks)) throw new Error(`block pool: ${blocks} blocks requested, ${this.numFree} free`);
    this.takeBlocks(blocks);
  }

  /** Publishes a block a request just filled under its content key; false when the key is already cached. */
  register(key: BlockKey): boolean {
    if (this.refs.has(key)) return false;
    this.refs.set(key, 1);
    return true;
  }

  /** Returns a request's blocks; cached keys are released tail first so the tail is evicted first. */
  release(ownBlocks: number, cachedKeys: readonly BlockKey[]): void {
    this.freeUncached += ownBlocks;
    for (let i = cachedKeys.length - 1; i >= 0; i--) {
      const key = cachedKeys[i]!;
      const left = (this.refs.get(key) ?? 1) - 1;
      this.refs.set(key, left);
      if (left === 0) this.evictable.set(key, true);
    }
  }

  private takeBlocks(blocks: number): void {
    const fromFree = Math.min(blocks, this.freeUncached);
    this.freeUncached -= fromFree;
    let toEvict = blocks - fromFree;
    for (const key of this.evictable.keys()) {
      if (toEvict === 0) break;
      this.evictable.delete(key);
      this.refs.delete(key);
      this.spill(key, 0);
      toEvict--;
    }
  }

  private spill(key: BlockKey, tier: number): void {
    const lru = this.tierLru[tier];
    const spec = this.tiers[tier];
    if (!lru || !spec) return;
    lru.delete(key);
    lru.set(key, true);
    if (lru.size > spec.capacityBlocks) {
      const oldest = lru.keys().next().value as BlockKey;
      lru.delete(oldest);
      this.spill(oldest, tier + 1);
    }
  }
}
