/**
 * Partition placement (DESIGN.md "Actors and placement"): a pure, sticky, balanced
 * rendezvous assignment of P partitions to live hosts, and the host heartbeat registry in
 * `oi_health` that says which hosts are live.
 */
export * from './rendezvous.js';
export * from './assign.js';
export * from './host-registry.js';
export * from './assignment.js';
export * from './placement-loop.js';
