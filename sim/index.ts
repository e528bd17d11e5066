/**
 * sim: the fleet simulator (DESIGN.md "sim/"): a vLLM-compatible engine model, a priced cloud,
 * a router, trace replay on the lockstep clock. Every random draw comes from `createRng`.
 */
export * from './random.js';
export * from './cloud/index.js';
export * from './trace/index.js';
export * from './router/index.js';
export * from './catalog/index.js';
export * from './engine/index.js';
export * from './fleet/index.js';
