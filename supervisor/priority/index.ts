/**
 * The priority protocol (DESIGN.md "Supervisor: the priority protocol and guardrails"): risk
 * computed from the action and capacity, the conflict relation, customer constraints, the
 * `Arbiter` (arbitration windows on event time, priority order, joint resolutions, action
 * locks, pre-emption, operating modes, approvals) and `explain` over its audit rows. Pure:
 * every input carries its event time, every output is an effect as data.
 */
export * from './arbiter.js';
export * from './arbiter-config.js';
export * from './action-locks.js';
export * from './approval-error.js';
export * from './conflicts.js';
export * from './constraints.js';
export * from './effects.js';
export * from './explain.js';
export * from './joint-resolution.js';
export * from './modes.js';
export * from './priority-order.js';
export * from './risk.js';
export * from './workload-context.js';
export * from './decision-repo.js';
