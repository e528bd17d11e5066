import { consume, provision, publish, type Bus, type ConsumeHandle } from '../../bus/index.js';
import {
  STREAMS,
  actionResultV1,
  actionV1,
  noticeV1,
  partitionOf,
  subjects,
  type ActionRequest,
  type ActionResult,
} from '../../schemas/index.js';
import { EDGE_VERBS, actConsumerName, actConsumerSpec, changesOf, type EdgeVerb } from '../../gpu-edge/index.js';
import { EpochGuard } from '../../supervisor/index.js';
import type { Logger } from '../../config/index.js';
import type { EngineArgChanges } from './engine-args.js';
import type { FleetSim } from './fleet-sim.js';

export interface FleetActionsOptions {
  bus: Bus;
  sim: FleetSim;
  /** OI_PARTITIONS: the fencing epoch is checked per workload partition, as the edge does. */
  partitions: number;
  source?: string;
  /** Redelivery delay of an unacked action; long actions keep it alive with progress acks. */
  ackWaitMs?: number;
  logger?: Logger;
}

export interface FleetActions {
  /** Nodes whose action consumer runs. */
  nodes(): string[];
  stats(): { handled: number; succeeded: number; failed: number; duplicates: number };
  stop(): Promise<void>;
}

interface Done {
  action_id: string;
  status: ActionResult['status'];
}

/**
 * The gpu-edge action protocol for a simulated fleet's nodes: per node the durable consumer
 * `oi-act-<node>` on OI_ACT (filter `oi.v1.act.<node>.>`, one action at a time), the edge's verbs
 * (`engine.reconfigure` with `{changes}` or `{action}`, `engine.restart`, `engine.drain`,
 * `engine.status`), fencing by epoch per workload partition, one run per decision id, and the
 * result `oi.act.result.v1` on `oi.v1.evt.edge.action_result.<workload>`. The change lands on the
 * simulated engine at the current simulated time when the fleet is parked at a boundary (as in
 * lockstep), else at the next boundary; deadlines are judged in event time.
 */
export async function serveFleetActions(o: FleetActionsOptions): Promise<FleetActions> {
  const { bus, sim } = o;
  const workload = sim.spec.workload;
  const source = o.source ?? `sim:${workload}`;
  const ackWaitMs = o.ackWaitMs ?? 30_000;
  const handles = new Map<string, ConsumeHandle>();
  const guards = new Map<string, EpochGuard>();
  const done = new Map<string, Map<string, Done>>();
  const counts = { handled: 0, succeeded: 0, failed: 0, duplicates: 0 };
  const starting = new Set<Promise<void>>();

  const result = (req: ActionRequest, status: ActionResult['status'], detail: string, extra = {}): ActionResult => ({
    action_id: req.action_id,
    decision_id: req.decision_id,
    node: req.node,
    workload: req.workload,
    status,
    detail: detail.slice(0, 4000),
    ...extra,
  });

  const kvOf = (node: string): Record<string, number> | undefined => {
    const d = sim.replicaDetails().find((r) => r.node === node);
    return d ? { kv_capacity_tokens: d.kvCapacityTokens } : undefined;
  };

  const run = async (node: string, req: ActionRequest): Promise<ActionResult> => {
    const plain = (): void => {
      if (Object.keys(req.params).length > 0) {
        throw new Error(`params: ${req.verb} takes none, got ${Object.keys(req.params).join(', ')}`);
      }
    };
    const before = kvOf(node);
    const around = (): Record<string, unknown> => {
      const after = kvOf(node);
      return { ...(before ? { metrics_before: before } : {}), ...(after ? { metrics_after: after } : {}) };
    };
    try {
      switch (req.verb as EdgeVerb) {
        case 'engine.reconfigure': {
          const changes = changesOf(req.params) as EngineArgChanges;
          await sim.reconfigureReplica(node, changes);
          const flags = Object.entries(changes).map(([k, v]) => `${k}=${String(v)}`);
          return result(req, 'succeeded', `engine restarting with ${flags.join(', ')}`, around());
        }
        case 'engine.restart':
          plain();
          await sim.restartReplica(node);
          return result(req, 'succeeded', 'engine restarting with its current flags', around());
        case 'engine.drain':
          plain();
          await sim.drainEngine(node);
          return result(req, 'succeeded', 'engine out of rotation; it stops once its requests finish');
        case 'engine.status': {
          plain();
          const d = sim.replicaDetails().find((r) => r.node === node);
          if (!d) throw new Error(`node: ${node} is gone`);
          return result(req, 'succeeded', JSON.stringify(d));
        }
        default:
          return result(req, 'failed', `refused: unknown verb ${req.verb}; known: ${EDGE_VERBS.join(', ')}`);
      }
    } catch (err) {
      return result(req, 'failed', `refused: ${(err as Error).message}`);
    }
  };

  const handle = async (node: string, req: ActionRequest, corr: string): Promise<void> => {
    counts.handled++;
    const guard = guards.get(node)!;
    const seen = done.get(node)!;
    let r: ActionResult | undefined;
    // the edge's order: address, fence, then idempotency, then the deadline
    const fence = guard.check(partitionOf(req.workload, o.partitions), req.epoch);
    if (req.node !== node) r = result(req, 'failed', `refused: addressed to node ${req.node}, this is ${node}`);
    else if (req.workload !== workload) {
      r = result(req, 'failed', `refused: workload ${req.workload}; this fleet serves ${workload}`);
    } else if (!fence.ok) r = result(req, 'failed', `refused: ${fence.reason}`);
    const previous = r ? undefined : seen.get(req.decision_id);
    if (previous) {
      counts.duplicates++;
      await publish(
        bus.js,
        subjects.evt('edge', 'action_duplicate', workload),
        noticeV1,
        {
          domain: 'edge',
          event: 'action_duplicate',
          workload,
          severity: 'info',
          message: `decision ${req.decision_id} already ran (action ${previous.action_id}: ${previous.status}); not run again`,
          attrs: { decision_id: req.decision_id, action_id: req.action_id, previous_status: previous.status },
        },
        { source, corr, ts: sim.eventTime() }
      );
      return;
    }
    if (!r && sim.eventTime().getTime() > Date.parse(req.deadline)) {
      r = result(
        req,
        'failed',
        `refused: deadline ${req.deadline} has passed (event time ${sim.eventTime().toISOString()})`
      );
    }
    if (!r) {
      r = await run(node, req);
      seen.set(req.decision_id, { action_id: req.action_id, status: r.status });
    }
    if (r.status === 'succeeded') counts.succeeded++;
    else counts.failed++;
    await publish(bus.js, subjects.evt('edge', 'action_result', workload), actionResultV1, r, {
      source,
      corr,
      ts: sim.eventTime(),
      id: `${req.action_id}-result`,
    });
  };

  const serveNode = async (node: string): Promise<void> => {
    if (handles.has(node)) return;
    guards.set(node, new EpochGuard());
    done.set(node, new Map());
    await provision(bus.jsm, bus.kvm, {
      partitions: 1,
      streams: [],
      consumers: [actConsumerSpec(node, ackWaitMs)],
      kv: [],
    });
    const h = await consume<ActionRequest>(bus.js, {
      stream: STREAMS.act,
      consumer: actConsumerName(node),
      accept: [actionV1],
      source,
      ...(o.logger ? { logger: o.logger } : {}),
      batch: 1,
      handler: async (env, ctx) => {
        const progress = setInterval(() => ctx.msg.working(), Math.max(ackWaitMs / 3, 100));
        try {
          await handle(node, env.data, env.id);
        } finally {
          clearInterval(progress);
        }
      },
    });
    handles.set(node, h);
  };

  try {
    await bus.jsm.streams.info(STREAMS.act);
  } catch (err) {
    throw new Error(`stream ${STREAMS.act} is not there: the supervisor provisions the bus; start it first`, {
      cause: err,
    });
  }
  for (const r of sim.replicaDetails()) await serveNode(r.node);
  const off = sim.onReplicaLaunched((node) => {
    const p = serveNode(node).catch((err: unknown) =>
      o.logger?.error({ err, node }, 'could not start the action consumer of a launched replica')
    );
    starting.add(p);
    void p.finally(() => starting.delete(p));
  });
  return {
    nodes: () => [...handles.keys()],
    stats: () => ({ ...counts }),
    async stop() {
      off();
      await Promise.all(starting);
      await Promise.all([...handles.values()].map((h) => h.stop()));
    },
  };
}
