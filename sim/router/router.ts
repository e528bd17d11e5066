import { PrefixIndex } from './prefix-index.js';
import { queueLength, type ReplicaLoad } from './replica-load.js';

/** Routing policies, named as in the `set_routing` action (schemas `actionSpec`). */
export const RoutingPolicy = {
  roundRobin: 'round_robin',
  leastLoaded: 'least_loaded',
  prefixAffinity: 'prefix_affinity',
  kvAware: 'kv_aware',
  weighted: 'weighted',
} as const;
export type RoutingPolicy = (typeof RoutingPolicy)[keyof typeof RoutingPolicy];

export interface RoutableRequest {
  id: string;
  prefixHashes?: readonly number[];
}

export interface RoutingConfig {
  policy: RoutingPolicy;
  /** Relative share per replica id; unnamed replicas weigh 1, weight 0 takes a replica out of rotation. */
  weights: Record<string, number>;
}

export interface PrefixAffinityOptions {
  /** The affine replica is skipped when its queue exceeds the shortest by more than this many requests… */
  imbalanceAbs: number;
  /** …and by more than this factor (both must hold, as in SGLang's cache-aware router). */
  imbalanceRel: number;
  /** Trie nodes kept (one per distinct prefix block chain); least recently used go first. */
  maxPrefixNodes: number;
}

/** Assumptions, not measured: tune per fleet. */
export const DEFAULT_PREFIX_AFFINITY: PrefixAffinityOptions = {
  imbalanceAbs: 16,
  imbalanceRel: 1.5,
  maxPrefixNodes: 1_000_000,
};

export interface Reroute<R> {
  request: R;
  from: string;
  to: string;
}

export interface RemovalResult<R> {
  rerouted: Reroute<R>[];
  /** Requests with no replica left to take them. */
  unroutable: R[];
}

export interface RouterStats {
  routed: number;
  /** Requests routed again because their replica was removed. */
  retries: number;
  unroutable: number;
  /** Prefix-affinity decisions that followed a cached prefix. */
  prefixHits: number;
  byReplica: Record<string, number>;
}

interface Replica<R> {
  id: string;
  load: ReplicaLoad;
  inFlight: Map<string, R>;
  /** Smooth weighted round-robin state. */
  current: number;
}

export class RouterError extends Error {
  override name = 'RouterError';
}

/**
 * Routes requests across replicas with a policy switchable at runtime. Tracks each request until
 * `complete`, so that removing a replica (spot interruption, scale-in) re-routes its requests.
 */
export class Router<R extends RoutableRequest = RoutableRequest> {
  private readonly replicas = new Map<string, Replica<R>>();
  private readonly owner = new Map<string, Replica<R>>();
  private readonly prefixes: PrefixIndex<Replica<R>>;
  private readonly affinity: PrefixAffinityOptions;
  private config: RoutingConfig;
  private cursor = 0;
  private readonly counters = { routed: 0, retries: 0, unroutable: 0, prefixHits: 0 };
  private readonly perReplica = new Map<string, number>();

  constructor(
    options: {
      policy?: RoutingPolicy;
      weights?: Record<string, number>;
      prefixAffinity?: Partial<PrefixAffinityOptions>;
    } = {}
  ) {
    this.config = { policy: options.policy ?? 'round_robin', weights: { ...options.weights } };
    this.affinity = { ...DEFAULT_PREFIX_AFFINITY, ...options.prefixAffinity };
    this.prefixes = new PrefixIndex(this.affinity.maxPrefixNodes);
  }

  get routing(): RoutingConfig {
    return { policy: this.config.policy, weights: { ...this.config.weights } };
  }

  replicaIds(): string[] {
    return [...this.replicas.keys()];
  }

  replicaLoad(id: string): ReplicaLoad | undefined {
    return this.replicas.get(id)?.load;
  }

  /** Ids of the requests routed to a replica and not completed. */
  inFlight(id: string): string[] {
    return [...(this.replicas.get(id)?.inFlight.keys() ?? [])];
  }

  addReplica(id: string, load: ReplicaLoad): void {
    if (this.replicas.has(id)) throw new RouterError(`replica ${id} is already routed to`);
    this.replicas.set(id, { id, load, inFlight: new Map(), current: 0 });
  }

  /** Removes a replica and routes its unfinished requests to the others, counting each as a retry. */
  removeReplica(id: string): RemovalResult<R> {
    const replica = this.replicas.get(id);
    if (!replica) throw new RouterError(`unknown replica ${id}`);
    this.replicas.delete(id);
    const result: RemovalResult<R> = { rerouted: [], unroutable: [] };
    for (const request of replica.inFlight.values()) {
      this.owner.delete(request.id);
      if (!this.hasEligible()) {
        this.counters.unroutable++;
        result.unroutable.push(request);
        continue;
      }
      this.counters.retries++;
      result.rerouted.push({ request, from: id, to: this.route(request) });
    }
    return result;
  }

  /** Replaces the routing configuration; `applyRoutingAction` validates operator and agent input first. */
  setRouting(config: RoutingConfig): void {
    this.config = { policy: config.policy, weights: { ...config.weights } };
    for (const r of this.replicas.values()) r.current = 0;
  }

  /** Picks the replica for a request and records it as in flight there. */
  route(request: R): string {
    if (this.owner.has(request.id)) throw new RouterError(`request ${request.id} is already in flight`);
    if (!this.hasEligible()) throw new RouterError('no replica to route to (none added, or all weigh 0)');
    const replica = this.pick(request);
    replica.inFlight.set(request.id, request);
    this.owner.set(request.id, replica);
    this.counters.routed++;
    this.perReplica.set(replica.id, (this.perReplica.get(replica.id) ?? 0) + 1);
    if (request.prefixHashes?.length) this.prefixes.record(request.prefixHashes, replica);
    return replica.id;
  }

  /** Marks a request finished; unknown ids are ignored (a request may finish after its replica left). */
  complete(requestId: string): void {
    const replica = this.owner.get(requestId);
    if (!replica) return;
    replica.inFlight.delete(requestId);
    this.owner.delete(requestId);
  }

  stats(): RouterStats {
    return { ...this.counters, byReplica: Object.fromEntries(this.perReplica) };
  }

  private weightOf(r: Replica<R>): number {
    return this.config.weights[r.id] ?? 1;
  }

  private eligible(): Replica<R>[] {
    return [...this.replicas.values()].filter((r) => this.weightOf(r) > 0);
  }

  private hasEligible(): boolean {
    for (const r of this.replicas.values()) if (this.weightOf(r) > 0) return true;
    return false;
  }

  private pick(request: R): Replica<R> {
    const candidates = this.eligible();
    switch (this.config.policy) {
      case 'round_robin': {
        const r = candidates[this.cursor % candidates.length]!;
        this.cursor = (this.cursor + 1) % candidates.length;
        return r;
      }
      case 'weighted':
        return this.smoothWeighted(candidates);
      case 'least_loaded':
        return this.leastLoaded(candidates);
      case 'kv_aware':
        return this.leastKvUsage(candidates);
      case 'prefix_affinity':
        return this.prefixAffine(request, candidates);
    }
  }

  /** nginx's smooth weighted round-robin: shares follow the weights without bursts to one replica. */
  private smoothWeighted(candidates: Replica<R>[]): Replica<R> {
    let total = 0;
    let best = candidates[0]!;
    for (const r of candidates) {
      r.current += this.weightOf(r);
      total += this.weightOf(r);
      if (r.current > best.current) best = r;
    }
    best.current -= total;
    return best;
  }

  private leastLoaded(candidates: Replica<R>[]): Replica<R> {
    // scan from a rotating start so that ties (an idle fleet) spread instead of piling on the first
    const start = this.cursor++ % candidates.length;
    let best = candidates[start]!;
    let bestScore = Infinity;
    for (let k = 0; k < candidates.length; k++) {
      const r = candidates[(start + k) % candidates.length]!;
      const score = queueLength(r.load) / this.weightOf(r);
      if (score < bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }

  private leastKvUsage(candidates: Replica<R>[]): Replica<R> {
    let best = candidates[0]!;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const r of candidates) {
      if (!r.load.kvCacheUsage) throw new RouterError(`kv_aware: replica ${r.id} does not report kvCacheUsage`);
      const key: [number, number] = [r.load.kvCacheUsage(), queueLength(r.load) / this.weightOf(r)];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = r;
        bestKey = key;
      }
    }
    return best;
  }

  private prefixAffine(request: R, candidates: Replica<R>[]): Replica<R> {
    const fallback = this.leastLoaded(candidates);
    if (!request.prefixHashes?.length) return fallback;
    const match = this.prefixes.longestMatch(
      request.prefixHashes,
      (r) => this.replicas.get(r.id) === r && this.weightOf(r) > 0
    );
    if (!match) return fallback;
    const affine = queueLength(match.replica.load);
    const shortest = queueLength(fallback.load);
    const imbalanced = affine - shortest > this.affinity.imbalanceAbs && affine > this.affinity.imbalanceRel * shortest;
    if (imbalanced) return fallback;
    this.counters.prefixHits++;
    return match.replica;
  }
}
