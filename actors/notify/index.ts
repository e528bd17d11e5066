/**
 * Notify (DESIGN.md "Supervisor"): chosen events (pending approvals, guardrail stops, SLO
 * breaches, failed rollbacks, DLQ growth) become Slack-compatible webhook calls, retried with
 * backoff on a queue of their own so no producer ever waits on a receiver.
 */
export * from './webhook-config.js';
export * from './notification.js';
export * from './webhook-sender.js';
export * from './notify-service.js';
export * from './process.js';
