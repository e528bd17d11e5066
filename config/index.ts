/**
 * Process configuration shared by every OptiInfra process: environment variables (one
 * table, so the local launcher and docker-compose agree) and logging.
 */
export * from './logger.js';
export * from './env.js';
