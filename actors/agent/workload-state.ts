import { actionSpec, type ActionSpec, type WorkloadSpec } from '../../schemas/index.js';
import type { AppliedChange, Observation, RoutingPolicy } from './analysis.js';

/** What the telemetry does not say about a workload: its engine flags, its routing, what was changed. */
export interface WorkloadState {
  engineArgs?: Observation['engineArgs'];
  routing?: Observation['routing'];
  appliedChanges: AppliedChange[];
}

/** Where an agent reads it; `now` is event time, so a replay sees only what was decided before. */
export interface WorkloadStateSource {
  state(workload: string, spec: WorkloadSpec, now: number): Promise<WorkloadState>;
}

/** One approved decision an executor carried out, oldest first. */
export interface ExecutedDecision {
  decisionId: string;
  proposalId: string;
  /** Event time of the decision, ms. */
  ts: number;
  action: ActionSpec;
  /** The proposal's rollback plan; absent when the proposal row is gone. */
  rollback?: ActionSpec;
  /** Nodes the proposal targeted (engine changes); absent = the whole workload. */
  nodes?: string[];
  /** Nodes whose edge reported the change failed or rolled back: it did not take effect there. */
  failedNodes?: string[];
}

/** Workload label an operator sets to the router's policy when nothing has changed it yet. */
export const ROUTING_LABEL = 'routing-policy';

const ROUTING_POLICIES: readonly RoutingPolicy[] = [
  'round_robin',
  'least_loaded',
  'prefix_affinity',
  'kv_aware',
  'weighted',
];

/**
 * Folds executed decisions into the workload's state: engine flags per node (a `reconfigure_engine`
 * or `set_context_limit` sets them, `null` removes one so vLLM's default applies again), the
 * router's policy (the last `set_routing`, else the `routing-policy` label), and every change with
 * its undo for the quality-regression check. Pure.
 */
export function foldWorkloadState(executed: readonly ExecutedDecision[], spec: WorkloadSpec): WorkloadState {
  const args: Record<string, Record<string, string | number | boolean>> = {};
  let routing: Observation['routing'];
  const label = spec.labels[ROUTING_LABEL];
  if (label && (ROUTING_POLICIES as readonly string[]).includes(label)) routing = { policy: label as RoutingPolicy };
  const appliedChanges: AppliedChange[] = [];
  for (const d of executed) {
    const a = d.action;
    const nodes = (d.nodes ?? []).filter((n) => !d.failedNodes?.includes(n));
    const setFlags = (changes: Record<string, string | number | boolean | null>): void => {
      for (const n of nodes) {
        const now = { ...(args[n] ?? {}) };
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) delete now[k];
          else now[k] = v;
        }
        args[n] = now;
      }
    };
    if (a.kind === 'reconfigure_engine') setFlags(a.changes);
    else if (a.kind === 'set_context_limit') setFlags({ 'max-model-len': a.max_model_len });
    else if (a.kind === 'set_routing') routing = { policy: a.policy, ...(a.weights ? { weights: a.weights } : {}) };
    if (d.rollback && (nodes.length > 0 || !d.nodes?.length)) {
      appliedChanges.push({ ts: d.ts, action: a, rollback: d.rollback, proposalId: d.proposalId });
    }
  }
  return {
    ...(Object.keys(args).length ? { engineArgs: args } : {}),
    ...(routing ? { routing } : {}),
    appliedChanges,
  };
}

/** Parses a stored action; undefined when it is not a valid one (an old or foreign row). */
export function actionOf(raw: unknown): ActionSpec | undefined {
  const r = actionSpec.safeParse(raw);
  return r.success ? r.data : undefined;
}
