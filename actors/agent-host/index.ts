/** The actor-host process with the four agents (`optiinfra serve host`). */
export * from './agent-settings.js';
export * from './agent-host.js';
