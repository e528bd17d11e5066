/**
 * The bus: NATS connection, declarative provisioning of streams, consumers and KV buckets,
 * the envelope codec (validated on publish and on receive), commands as micro services with
 * typed errors, dead-lettering, and retries through leader elections. DESIGN.md "Subjects".
 */
export * from './connect.js';
export * from './topology.js';
export * from './provision.js';
export * from './codec.js';
export * from './publish.js';
export * from './consume.js';
export * from './dead-letter.js';
export * from './sensitivity.js';
export * from './command-service.js';
export * from './request.js';
export * from './retry.js';
export * from './ids.js';
export * from './oi-error.js';
export * from './dlq-admin.js';
export * from './caller-identity.js';
export * from './rate-limit.js';
export * from './payload-limits.js';
