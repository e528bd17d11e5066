import { parseTelStored, probeSeenV1, type Envelope } from '../../schemas/index.js';
import type { ActorLogic } from '../runtime/index.js';
import type { HostEffect } from './effects.js';
import type { Router } from './partition-worker.js';

/**
 * The probe actor: one per workload, it counts the telemetry it sees and echoes each message
 * as an effect on `oi.v1.rec.probe.<workload>`. Operators run it to check a deployment end to
 * end (placement, fencing, effects); the chaos test uses it as its workload.
 */
interface ProbeState {
  count: number;
}

export const probeLogic: ActorLogic<ProbeState, Envelope, HostEffect> = {
  kind: 'probe',
  version: 1,
  initial: () => ({ count: 0 }),
  receive(state, msg, ctx) {
    const count = state.count + 1;
    return {
      state: { count },
      effects: [
        {
          subject: `oi.v1.rec.probe.${ctx.key}`,
          schema: probeSeenV1.id,
          data: { workload: ctx.key, message_id: msg.id, count, partition: ctx.partition, epoch: ctx.epoch },
        },
      ],
    };
  },
};

/** Routes telemetry to the actors of its workload, one per registered kind. */
export function workloadRouter(kinds: readonly string[]): Router {
  return (_env, subject) => {
    const t = parseTelStored(subject);
    return t ? kinds.map((kind) => ({ kind, key: t.workload })) : [];
  };
}
