/**
 * Process configuration shared by every OptiInfra process: environment variables (one
 * table, so the local launcher and docker-compose agree), secrets (env or `_FILE`, scrubbed
 * from every log line) and logging.
 */
export * from './logger.js';
export * from './env.js';
export * from './secrets.js';
