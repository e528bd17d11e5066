/**
 * sim/router — the request router across replicas: round-robin, weighted, least-loaded, KV-aware and
 * prefix-affinity policies, switchable at runtime through `applyRoutingAction` (the executor of
 * `set_routing` decisions). Replica load is read through `ReplicaLoad`, which engines implement.
 */
export type { ReplicaLoad } from './replica-load.js';
export { queueLength } from './replica-load.js';
export { PrefixIndex } from './prefix-index.js';
export { DEFAULT_PREFIX_AFFINITY, Router, RouterError, RoutingPolicy } from './router.js';
export type {
  PrefixAffinityOptions,
  RemovalResult,
  Reroute,
  RoutableRequest,
  RouterStats,
  RoutingConfig,
} from './router.js';
export { applyRoutingAction } from './routing-action.js';
export type { RoutingActionResult } from './routing-action.js';
