/**
 * Leases with deadlines, epochs and fencing over `oi_leases` (DESIGN.md "Actors and
 * placement"): the store (CAS acquire/renew/release), a keeper that renews and reports loss,
 * leader election for singletons, and the receiver-side epoch guard.
 */
export * from './lease-value.js';
export * from './lease-store.js';
export * from './lease-keeper.js';
export * from './leader-election.js';
export * from './epoch-guard.js';
export * from './fenced-inbox.js';
