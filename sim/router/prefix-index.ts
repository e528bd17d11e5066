/**
 * Which replica most recently served each prefix hash chain: a trie over block hashes, bounded by
 * least-recently-used eviction. A node is touched after its descendants, so the eviction order always
 * removes leaves first.
 */
interface PrefixNode<R> {
  parent: PrefixNode<R> | undefined;
  hash: number;
  children: Map<number, PrefixNode<R>>;
  replica: R | undefined;
}

export class PrefixIndex<R> {
  private readonly root: PrefixNode<R> = { parent: undefined, hash: -1, children: new Map(), replica: undefined };
  private readonly lru = new Map<PrefixNode<R>, true>();

  constructor(private readonly maxNodes: number) {
    if (!(maxNodes >= 1)) throw new Error(`prefix index: maxNodes must be >= 1, got ${maxNodes}`);
  }

  get size(): number {
    return this.lru.size;
  }

  /** The replica (passing `usable`) of the deepest matching node, and how many blocks matched there. */
  longestMatch(hashes: readonly number[], usable: (r: R) => boolean): { replica: R; blocks: number } | undefined {
    let node = this.root;
    let best: { replica: R; blocks: number } | undefined;
    for (let i = 0; i < hashes.length; i++) {
      const child = node.children.get(hashes[i]!);
      if (!child) break;
      node = child;
      if (node.replica !== undefined && usable(node.replica)) best = { replica: node.replica, blocks: i + 1 };
    }
    return best;
  }

  /** Records that `replica` served this chain: every node on it now points there. */
  record(hashes: readonly number[], replica: R): void {
    const path: PrefixNode<R>[] = [];
    let node = this.root;
    for (const hash of hashes) {
      let child = node.children.get(hash);
      if (!child) {
        child = { parent: node, hash, children: new Map(), replica };
        node.children.set(hash, child);
      }
      child.replica = replica;
      path.push(child);
      node = child;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      this.lru.delete(path[i]!);
      this.lru.set(path[i]!, true);
    }
    while (this.lru.size > this.maxNodes) {
      const oldest = this.lru.keys().next().value!;
      this.lru.delete(oldest);
      oldest.parent?.children.delete(oldest.hash);
    }
  }
}
