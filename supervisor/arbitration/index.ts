/**
 * The priority protocol at work inside the supervisor process (DESIGN.md "Supervisor"):
 * proposals from OI_REC through a fenced inbox into the Arbiter, ticks on event time,
 * decisions to OI_DEC with the fencing epoch, events to OI_EVT, the audit in PostgreSQL, and
 * the operator commands (approve, reject, list, set-mode, fleet pause/resume).
 */
export * from './arbitration-service.js';
export * from './arbitration-term.js';
export * from './arbitration-commands.js';
export * from './effect-sink.js';
export * from './pending-approvals.js';
export * from './workload-book.js';
export * from './serial.js';
