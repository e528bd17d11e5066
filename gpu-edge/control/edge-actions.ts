import { z } from 'zod';
import {
  actionSpec,
  engineFlagValue,
  partitionOf,
  type ActionRequest,
  type ActionResult,
} from '../../schemas/index.js';
import { EpochGuard } from '../../supervisor/index.js';
import type { ChangeOutcome, EngineController } from './engine-controller.js';
import { DONE_CAP, type DoneAction, type EdgeState, type EdgeStateFile } from './edge-state.js';

/** Verbs the edge serves on `oi.v1.act.<node>.<verb…>`. */
export const EDGE_VERBS = ['engine.reconfigure', 'engine.restart', 'engine.drain', 'engine.status'] as const;
export type EdgeVerb = (typeof EDGE_VERBS)[number];

const flagName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a vLLM engine arg without dashes in front');
const reconfigureParams = z.union([
  z.object({ changes: z.record(flagName, engineFlagValue) }).strict(),
  z.object({ action: actionSpec }).strict(),
]);
const noParams = z.object({}).strict();

/** The engine flags an `engine.reconfigure` changes: `params.changes`, or a decision's action spec. */
export function changesOf(params: unknown): Record<string, unknown> {
  const r = reconfigureParams.safeParse(params);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`params.${issue.path.join('.') || 'changes'}: ${issue.message} (${issue.code})`);
  }
  if ('changes' in r.data) {
    if (Object.keys(r.data.changes).length === 0) throw new Error('params.changes: at least one flag must change');
    return r.data.changes;
  }
  const a = r.data.action;
  switch (a.kind) {
    case 'reconfigure_engine':
      return a.changes;
    case 'set_context_limit':
      return { 'max-model-len': a.max_model_len };
    case 'enable_kv_offload':
      return { 'kv-offloading-size': a.cpu_gib };
    default:
      throw new Error(`params.action.kind: ${a.kind} is not an engine change (engine_config or context_limits)`);
  }
}

/** What the edge did with one action message. */
export type ActionOutcome =
  | { kind: 'done'; result: ActionResult }
  | { kind: 'duplicate'; previous: DoneAction }
  | { kind: 'refused'; result: ActionResult };

export interface EdgeActionsOptions {
  node: string;
  workload: string;
  partitions: number;
  controller: EngineController;
  stateFile: EdgeStateFile;
  state: EdgeState;
  clock?: () => Date;
}

/**
 * The edge's receiving end of decisions: refuses a stale fencing epoch (marks persisted, so a
 * restarted edge still refuses it), runs each decision id at most once (also persisted), and
 * hands the verb to the engine controller, which makes one change at a time.
 */
export class EdgeActions {
  readonly guard = new EpochGuard();
  readonly #done = new Map<string, DoneAction>();
  readonly #o: EdgeActionsOptions;
  readonly #clock: () => Date;

  constructor(opts: EdgeActionsOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? ((): Date => new Date());
    this.guard.restore(opts.state.epochs);
    for (const d of opts.state.done) this.#done.set(d.decision_id, d);
  }

  #result(req: ActionRequest, status: ActionResult['status'], detail: string, o?: ChangeOutcome): ActionResult {
    return {
      action_id: req.action_id,
      decision_id: req.decision_id,
      node: this.#o.node,
      workload: req.workload,
      status,
      detail: detail.slice(0, 4000),
      ...(o?.metricsBefore ? { metrics_before: o.metricsBefore } : {}),
      ...(o?.metricsAfter ? { metrics_after: o.metricsAfter } : {}),
    };
  }

  async #persist(): Promise<void> {
    const done = [...this.#done.values()].slice(-DONE_CAP);
    this.#o.state = { ...this.#o.state, epochs: this.guard.snapshot(), done };
    await this.#o.stateFile.save(this.#o.state);
  }

  /** Persists the last good configuration with the rest of the state. */
  async commitConfig(config: EdgeState['lastGood']): Promise<void> {
    this.#o.state = { ...this.#o.state, ...(config ? { lastGood: config } : {}) };
    await this.#persist();
  }

  async handle(req: ActionRequest): Promise<ActionOutcome> {
    const verb = req.verb;
    if (req.node !== this.#o.node) {
      return {
        kind: 'refused',
        result: this.#result(req, 'failed', `refused: addressed to node ${req.node}, this is ${this.#o.node}`),
      };
    }
    if (req.workload !== this.#o.workload) {
      return {
        kind: 'refused',
        result: this.#result(req, 'failed', `refused: workload ${req.workload}; this edge serves ${this.#o.workload}`),
      };
    }
    const partition = partitionOf(req.workload, this.#o.partitions);
    const fence = this.guard.check(partition, req.epoch);
    if (!fence.ok) return { kind: 'refused', result: this.#result(req, 'failed', `refused: ${fence.reason}`) };
    const previous = this.#done.get(req.decision_id);
    if (previous) return { kind: 'duplicate', previous };
    if (this.#clock().getTime() > Date.parse(req.deadline)) {
      return { kind: 'refused', result: this.#result(req, 'failed', `refused: deadline ${req.deadline} has passed`) };
    }
    await this.#persist();
    const result = await this.#run(req, verb);
    this.#done.set(req.decision_id, {
      decision_id: req.decision_id,
      action_id: req.action_id,
      verb,
      status: result.status,
      detail: result.detail,
      at: this.#clock().toISOString(),
    });
    await this.#persist();
    return { kind: 'done', result };
  }

  async #run(req: ActionRequest, verb: string): Promise<ActionResult> {
    const c = this.#o.controller;
    const plain = (): void => {
      const r = noParams.safeParse(req.params);
      if (!r.success) throw new Error(`params: ${verb} takes none, got ${Object.keys(req.params).join(', ')}`);
    };
    let outcome: ChangeOutcome;
    try {
      switch (verb as EdgeVerb) {
        case 'engine.reconfigure':
          outcome = await c.reconfigure(changesOf(req.params));
          break;
        case 'engine.restart':
          plain();
          outcome = await c.restart();
          break;
        case 'engine.drain':
          plain();
          outcome = await c.drain();
          break;
        case 'engine.status':
          plain();
          return this.#result(req, 'succeeded', JSON.stringify(c.status()));
        default:
          return this.#result(req, 'failed', `refused: unknown verb ${verb}; known: ${EDGE_VERBS.join(', ')}`);
      }
    } catch (err) {
      return this.#result(req, 'failed', `refused: ${(err as Error).message}`);
    }
    return this.#result(req, outcome.status, outcome.detail, outcome);
  }
}
