/**
 * The cost agent's analyzers (DESIGN.md "Agents"): pure functions of an `Observation` that
 * produce the numbers of its proposals — spot migration and on-demand fallback, right-sizing and
 * GPU-type choice, reserved capacity, the autoscaling policy. Prices come only from the price book
 * the cloud-provider interface fills; impacts are USD/month at 730 h/month.
 */
export { costAnalyzers, createCostAnalyzers, rankCost } from './analyzers.js';
export { DEFAULT_COST_CONFIG, type CostConfig } from './config.js';
export { spotMigration } from './spot-migration.js';
export { spotFallback } from './spot-fallback.js';
export { rightSizing } from './right-sizing.js';
export { reservedCapacity } from './reserved-capacity.js';
export { autoscalingPolicy } from './autoscaling-policy.js';
export { monthlyInterruption, observedInterruptionsPerHour } from './spot-risk.js';
