/**
 * The supervisor: workload registry and commands now; health, leases, placement, the
 * priority protocol, guardrails and approvals as they land (DESIGN.md "Supervisor").
 */
export * from './workloads/workload-service.js';
export { flushOutbox } from './workloads/outbox.js';
export * from './process.js';
export * from './leases/index.js';
export * from './placement/index.js';
export * from './status-service.js';
export * from './priority/index.js';
export * from './guardrails/index.js';
export * from './arbitration/index.js';
