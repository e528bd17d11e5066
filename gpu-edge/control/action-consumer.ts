import { STREAMS, actionResultV1, actionV1, noticeV1, subjects, type ActionRequest } from '../../schemas/index.js';
import { consume, provision, publish, type Bus, type ConsumeHandle, type ConsumerSpec } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';
import type { EdgeActions } from './edge-actions.js';

/** Durable consumer of one node's actions (`oi-act-<node>`, filter `oi.v1.act.<node>.>`). */
export function actConsumerName(node: string): string {
  return `oi-act-${node}`;
}

export function actConsumerSpec(node: string, ackWaitMs: number): ConsumerSpec {
  return {
    stream: STREAMS.act,
    durable: actConsumerName(node),
    filterSubject: subjects.actForNode(node),
    ackWaitMs,
    // one action at a time: the next waits until this one is acked
    maxAckPending: 1,
  };
}

export interface ActionConsumerOptions {
  bus: Pick<Bus, 'js' | 'jsm' | 'kvm'>;
  node: string;
  workload: string;
  actions: EdgeActions;
  source: string;
  /** Redelivery delay of an unacked action; long actions keep it alive with progress acks. */
  ackWaitMs?: number;
  logger: Logger;
}

/**
 * Creates the node's durable consumer on OI_ACT (the topology cannot know nodes ahead of time)
 * and serves it: each action's result goes to `oi.v1.evt.edge.action_result.<workload>`, a
 * duplicate decision to `oi.v1.evt.edge.action_duplicate.<workload>`; the ack follows the result.
 */
export async function startActionConsumer(opts: ActionConsumerOptions): Promise<ConsumeHandle> {
  const ackWaitMs = opts.ackWaitMs ?? 30_000;
  const { js, jsm, kvm } = opts.bus;
  try {
    await jsm.streams.info(STREAMS.act);
  } catch (err) {
    throw new Error(`stream ${STREAMS.act} is not there: the supervisor provisions the bus; start it first`, {
      cause: err,
    });
  }
  await provision(jsm, kvm, { partitions: 1, streams: [], consumers: [actConsumerSpec(opts.node, ackWaitMs)], kv: [] });
  return consume<ActionRequest>(js, {
    stream: STREAMS.act,
    consumer: actConsumerName(opts.node),
    accept: [actionV1],
    source: opts.source,
    logger: opts.logger,
    batch: 1,
    handler: async (env, ctx) => {
      const progress = setInterval(() => ctx.msg.working(), Math.max(ackWaitMs / 3, 100));
      try {
        const outcome = await opts.actions.handle(env.data);
        if (outcome.kind === 'duplicate') {
          const p = outcome.previous;
          opts.logger.info(
            { decision: p.decision_id, action: env.data.action_id },
            'duplicate decision; not run again'
          );
          await publish(
            js,
            subjects.evt('edge', 'action_duplicate', opts.workload),
            noticeV1,
            {
              domain: 'edge',
              event: 'action_duplicate',
              workload: opts.workload,
              severity: 'info',
              message: `decision ${p.decision_id} already ran (action ${p.action_id}: ${p.status}); not run again`,
              attrs: { decision_id: p.decision_id, action_id: env.data.action_id, previous_status: p.status },
            },
            { source: opts.source, corr: env.id }
          );
          return;
        }
        const r = outcome.result;
        opts.logger.info(
          { action: r.action_id, verb: env.data.verb, status: r.status, detail: r.detail },
          'action done'
        );
        await publish(js, subjects.evt('edge', 'action_result', opts.workload), actionResultV1, r, {
          source: opts.source,
          corr: env.id,
        });
      } finally {
        clearInterval(progress);
      }
    },
  });
}
