/**
 * The actor host (DESIGN.md "Actors and placement"): takes the partition leases the supervisor
 * assigns, pulls each partition's consumer, routes messages to actors, publishes their effects
 * stamped with the lease epoch, and takes part in the lockstep clock.
 */
export * from './actor-host.js';
export * from './effects.js';
export * from './partition-worker.js';
export * from './probe.js';
export * from './clock-participant.js';
