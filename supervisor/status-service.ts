import type { KV } from '@nats-io/kv';
import { Svcm, type Service } from '@nats-io/services';
import { KV_BUCKETS, subjects, supervisorStateV1, supervisorStatusV1, type DataOf } from '../schemas/index.js';
import { serveCommands, type Bus } from '../bus/index.js';
import type { Logger } from '../config/index.js';
import { LeaseStore } from './leases/lease-store.js';
import { singletonKey } from './leases/lease-value.js';
import { readAssignment, ownersToMap } from './placement/assignment.js';
import { HostRegistry } from './placement/host-registry.js';

type State = DataOf<typeof supervisorStateV1>;
interface HostStats {
  actors?: number;
  processed?: number;
  restarts?: number;
}

/** Reads the placement as it stands: leases, heartbeats, the assignment and each host's stats. */
export async function readPlacementState(
  bus: Bus,
  partitions: number,
  leaseTtlMs: number,
  now = Date.now()
): Promise<State> {
  const store = await LeaseStore.open(bus);
  const registry = await HostRegistry.open(bus);
  const kv: KV = await bus.kvm.open(KV_BUCKETS.leases);
  const [leader, leases, hosts, assignment] = await Promise.all([
    store.readStrict(singletonKey('supervisor')),
    store.readAll('part.'),
    registry.live(now),
    readAssignment(kv),
  ]);
  const owners = ownersToMap(assignment?.value);
  const stats = new Map<string, HostStats>();
  const client = new Svcm(bus.nc).client({ strategy: 'timer', maxWait: 300 });
  try {
    for await (const s of await client.stats('oi-host')) {
      const data = s.endpoints?.[0]?.data as HostStats | undefined;
      const host = s.metadata?.host;
      if (host && data) stats.set(host, data);
    }
  } catch (err) {
    // no host running yet is a state to report, not an error
    if (!/no responders/i.test(String((err as Error).message))) throw err;
  }
  const leaseRows = [...leases.entries()]
    .map(([key, l]) => {
      const p = Number(key.slice('part.'.length));
      return {
        partition: p,
        holder: l.holder,
        epoch: l.epoch,
        age_ms: Math.max(0, now - l.renewedAt),
        live: l.holder !== '' && l.deadline > now,
        assigned_to: owners.get(p) ?? null,
      };
    })
    .sort((a, b) => a.partition - b.partition);
  const held = (h: string): number => leaseRows.filter((l) => l.live && l.holder === h).length;
  return {
    leader:
      leader && leader.holder && leader.deadline > now
        ? { holder: leader.holder, epoch: leader.epoch, age_ms: Math.max(0, now - leader.acquiredAt) }
        : null,
    partitions,
    hosts: hosts.map((h) => ({
      host: h.hostId,
      assigned: [...owners.values()].filter((o) => o === h.hostId).length,
      held: held(h.hostId),
      // hosts write deadline = beat + TTL
      heartbeat_age_ms: Math.max(0, Math.round(now - (h.deadline - leaseTtlMs))),
      actors: stats.get(h.hostId)?.actors ?? 0,
      processed: stats.get(h.hostId)?.processed ?? 0,
      restarts: stats.get(h.hostId)?.restarts ?? 0,
    })),
    leases: leaseRows,
    unassigned: Array.from({ length: partitions }, (_, p) => p).filter((p) => !owners.has(p)),
  };
}

/** `oi.v1.cmd.supervisor.status` as a micro service (`nats micro info oi-supervisor`). */
export async function startStatusService(opts: {
  bus: Bus;
  partitions: number;
  leaseTtlMs: number;
  logger: Logger;
}): Promise<{ stop(): Promise<void>; service: Service }> {
  const service = await serveCommands(opts.bus, {
    name: 'oi-supervisor',
    version: '1.0.0',
    description: 'Supervisor status: hosts, partitions per host, lease ages and epochs',
    source: 'oi-supervisor',
    logger: opts.logger,
    endpoints: [
      {
        name: 'status',
        subject: subjects.cmd('supervisor', 'status'),
        accept: [supervisorStatusV1],
        reply: supervisorStateV1,
        handle: async () => ({
          def: supervisorStateV1,
          data: await readPlacementState(opts.bus, opts.partitions, opts.leaseTtlMs),
        }),
      },
    ],
  });
  return { service, stop: () => service.stop().then(() => undefined) };
}
