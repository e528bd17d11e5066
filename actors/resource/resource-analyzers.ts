import type { AgentAnalyzers, Candidate, Observation } from '../agent/analysis.js';
import { replicasOf } from './candidate-parts.js';
import { contextLimitCandidate } from './context-limit.js';
import { engineMemoryCandidate } from './engine-memory.js';
import { memoryPressure, type MemoryPressure } from './memory-pressure.js';
import { nodeMemory, type NodeMemory } from './node-memory.js';
import { admissionLimitCandidate, scaleOutCandidate } from './oom-prevention.js';
import { resourceConfig, type ResourceConfig } from './resource-config.js';

/** The window's per-node memory and pressure, shared by the analyzers and the signals. */
export interface ResourceView {
  nodes: NodeMemory[];
  pressures: MemoryPressure[];
  replicas: number;
}

export function resourceView(obs: Observation, cfg: ResourceConfig): ResourceView {
  const nodes = nodeMemory(obs);
  return {
    nodes,
    pressures: nodes.map((n) => memoryPressure(n, cfg)),
    replicas: replicasOf(obs, nodes.length),
  };
}

/**
 * Resource candidates for one observation: per node one engine change (an admission limit after
 * an OOM event, else the memory ladder), a workload-wide context limit under pressure, and a
 * scale-out when memory is critical. Priority class `resource`.
 */
export function analyzeResources(obs: Observation, cfg: ResourceConfig): Candidate[] {
  const v = resourceView(obs, cfg);
  const out: Candidate[] = [];
  v.nodes.forEach((n, i) => {
    const p = v.pressures[i]!;
    const c = admissionLimitCandidate(obs, n, p, v.replicas, cfg) ?? engineMemoryCandidate(obs, n, p, v.replicas, cfg);
    if (c) out.push(c);
  });
  const ctx = contextLimitCandidate(obs, v.pressures, v.replicas, cfg);
  if (ctx) out.push(ctx);
  const scale = scaleOutCandidate(obs, v.nodes, v.pressures, v.replicas, cfg);
  if (scale) out.push(scale);
  return out;
}

export function resourceAnalyzers(over: Partial<ResourceConfig> = {}): AgentAnalyzers {
  const cfg = resourceConfig(over);
  return { agent: 'resource', analyze: (obs) => analyzeResources(obs, cfg) };
}
