import { z } from 'zod';
import { count, timestamp } from './common.js';
import { defineMessage } from './registry.js';

/**
 * Messages of the actor runtime itself (DESIGN.md "Actors and placement", "Time"): the fence
 * a new partition owner writes before its first effect, the lockstep clock, and the
 * supervisor's status command.
 */

const hostId = z.string().min(1).max(128);
const partition = z.number().int().min(0).max(1023);
const epoch = z.number().int().positive();

export const fenceV1 = defineMessage({
  id: 'oi.rec.fence.v1',
  description:
    'Written by a host right after it acquires a partition lease, before any effect: receivers raise the ' +
    "partition's epoch mark, so a stalled former owner's late effects are rejected (oi.v1.rec.fence.p<N>).",
  data: z.object({ partition, epoch, holder: hostId }),
});

export const clockTickV1 = defineMessage({
  id: 'oi.clock.tick.v1',
  description:
    'Lockstep clock (oi.v1.clock.tick): simulation time t; hosts acknowledge once every message stamped before t is processed.',
  data: z.object({ seq: count, t: timestamp }),
});

export const clockAckV1 = defineMessage({
  id: 'oi.clock.ack.v1',
  description: 'A host processed every message stamped before tick t (oi.v1.clock.ack).',
  data: z.object({ seq: count, t: timestamp, host: hostId, partitions: z.array(partition), processed: count }),
});

export const supervisorStatusV1 = defineMessage({
  id: 'oi.cmd.supervisor.status.v1',
  description: 'Ask for hosts, partitions per host, lease ages and epochs. Reply: oi.cmd.supervisor.state.v1.',
  data: z.object({}),
});

export const supervisorStateV1 = defineMessage({
  id: 'oi.cmd.supervisor.state.v1',
  description: 'Reply to oi.v1.cmd.supervisor.status: the placement as the supervisor leader sees it.',
  data: z.object({
    leader: z.object({ holder: z.string(), epoch: count, age_ms: count }).nullable(),
    partitions: count,
    hosts: z.array(
      z.object({
        host: hostId,
        assigned: count,
        held: count,
        heartbeat_age_ms: count,
        actors: count,
        processed: count,
        restarts: count,
      })
    ),
    leases: z.array(
      z.object({
        partition,
        holder: z.string(),
        epoch: count,
        age_ms: count,
        live: z.boolean(),
        assigned_to: z.string().nullable(),
      })
    ),
    unassigned: z.array(partition),
  }),
});

export const probeSeenV1 = defineMessage({
  id: 'oi.rec.probe.v1',
  description:
    'A probe actor saw a telemetry message (oi.v1.rec.probe.<workload>): operators run probes to check ' +
    'placement, fencing and effects end to end.',
  data: z.object({
    workload: z.string().min(1).max(64),
    message_id: z.string().min(1).max(128),
    count: z.number().int().positive(),
    partition,
    epoch,
  }),
});
