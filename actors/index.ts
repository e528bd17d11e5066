/**
 * Actors (DESIGN.md "Actors and placement"): the runtime that hosts them in-process. The
 * agents (`cost/`, `performance/`, `resource/`, `application/`) and the other actors will
 * be exported from here too.
 */
export * from './runtime/index.js';
export * from './host/index.js';
export * from './notify/index.js';
export * from './ingest/index.js';
export * from './agent-host/index.js';
export { CloudExecutor, runExecutor, planCapacity, type ExecutionReport } from './cloud/index.js';
