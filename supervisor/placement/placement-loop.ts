import type { KV } from '@nats-io/kv';
import { KV_BUCKETS } from '../../schemas/index.js';
import type { Bus } from '../../bus/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import { LeaderElection } from '../leases/leader-election.js';
import { LeaseStore } from '../leases/lease-store.js';
import { assign } from './assign.js';
import { mapToOwners, ownersToMap, readAssignment, writeAssignment } from './assignment.js';
import { HostRegistry } from './host-registry.js';

export interface PlacementOptions {
  bus: Bus;
  partitions: number;
  /** TTL of the supervisor's own leader lease. */
  leaseTtlMs: number;
  intervalMs?: number;
  candidate: string;
  logger?: Logger;
}

export interface Placement {
  isLeader(): boolean;
  /** Runs one placement pass now (leader only); returns whether the assignment changed. */
  pass(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The leader-elected placement loop: reads live hosts (by heartbeat deadlines) and rewrites
 * the assignment with minimal movement. Hosts act on it through leases, so two leaders for a
 * moment can only cause churn, never two owners.
 */
export async function startPlacement(opts: PlacementOptions): Promise<Placement> {
  const logger = opts.logger ?? silentLogger;
  const store = await LeaseStore.open(opts.bus);
  const registry = await HostRegistry.open(opts.bus, KV_BUCKETS.health, { logger });
  const kv: KV = await opts.bus.kvm.open(KV_BUCKETS.leases);
  const election = new LeaderElection({
    store,
    name: 'supervisor',
    candidate: opts.candidate,
    ttlMs: opts.leaseTtlMs,
    logger,
  });
  election.on('elected', (epoch: number) => logger.info({ epoch }, 'elected supervisor leader'));
  election.on('deposed', () => logger.warn('no longer supervisor leader'));

  const pass = async (): Promise<boolean> => {
    const epoch = election.epoch();
    if (epoch === undefined) return false;
    const hosts = (await registry.live()).map((h) => h.hostId);
    const cur = await readAssignment(kv);
    const live = new Set(hosts);
    const current = new Map([...ownersToMap(cur?.value)].filter(([, h]) => live.has(h)));
    const next = assign(opts.partitions, hosts, current);
    const owners = mapToOwners(next);
    if (cur && cur.value.leaderEpoch > epoch) return false;
    if (
      cur &&
      cur.value.partitions === opts.partitions &&
      JSON.stringify(cur.value.owners) === JSON.stringify(owners) &&
      cur.value.leaderEpoch === epoch
    ) {
      return false;
    }
    const ok = await writeAssignment(
      kv,
      { v: 1, leaderEpoch: epoch, partitions: opts.partitions, owners, updatedAt: Date.now() },
      cur?.revision
    );
    if (ok) logger.info({ hosts: hosts.length, partitions: opts.partitions }, 'assignment written');
    return ok;
  };

  await election.start();
  let chain: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      chain = chain.then(pass).catch((err: unknown) => logger.warn({ err }, 'placement pass failed; retrying'));
    },
    opts.intervalMs ?? Math.max(50, Math.floor(opts.leaseTtlMs / 3))
  );
  return {
    isLeader: () => election.isLeader(),
    pass,
    stop: async () => {
      clearInterval(timer);
      await chain;
      await election.stop();
    },
  };
}
