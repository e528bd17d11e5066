/**
 * The agent framework (DESIGN.md "Agents"): an agent is an actor (kind = agent, key = workload)
 * whose LangGraph graph, checkpointed in PostgreSQL under thread `kind:key`, runs observe →
 * analyze → reason → propose → await decision → verify → learn on event time.
 */
export * from './analysis.js';
export * from './windows.js';
export * from './digest.js';
export * from './explainer.js';
export * from './agent-graph.js';
export * from './agent-actor.js';
export * from './context.js';
export * from './postgres-sources.js';
export * from './workload-state.js';
