/**
 * security: NATS authorization per role (permission lists as data), the nats-server
 * authorization config they generate, and the credential store `optiinfra creds` manages.
 * Secrets loading and scrubbing live in config/ (every process needs them before the bus);
 * caller-scoped command subjects, rate limits and payload limits live in bus/.
 */
export * from './roles.js';
export * from './server-config.js';
export * from './credential-store.js';
