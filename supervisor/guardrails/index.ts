/**
 * Guardrails above all operating modes (DESIGN.md "Supervisor: the priority protocol and
 * guardrails"): the fleet-wide pause switch, blast-radius caps (actions per hour per workload
 * and fleet, share of a workload's replicas changing at once), a spend cap on monthly
 * increases, maintenance windows and gradual rollout plans. Pure, clock-injected logic.
 */
export * from './guardrails.js';
export * from './guardrail-config.js';
export * from './maintenance-window.js';
export * from './rollout-plan.js';
