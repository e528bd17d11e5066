/**
 * The supervisor: workload registry and commands now; health, leases, placement, the
 * priority protocol, guardrails and approvals as they land (DESIGN.md "Supervisor").
 */
export * from './workloads/workload-service.js';
export { flushOutbox } from './workloads/outbox.js';
export * from './process.js';
