/**
 * The cloud executor (DESIGN.md "Agents"): carries out approved decisions on instances through
 * the cloud-provider interface, idempotent by decision id, fenced, verified, rolled back.
 */
export * from './fleet-plan.js';
export * from './cloud-executor.js';
export * from './process.js';
