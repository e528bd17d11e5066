import type { Bus } from '../../bus/index.js';
import type { DataOf, supervisorStateV1 } from '../../schemas/index.js';
import type { ClickHouse } from '../../stores/index.js';
import { readPlacementState } from '../../supervisor/index.js';

type PlacementState = DataOf<typeof supervisorStateV1>;

export interface PlacementRows {
  placement: Record<string, unknown>[];
  hosts: Record<string, unknown>[];
}

/** One sample of the actor hosts' placement as rows of `actor_placement` and `actor_hosts`. */
export function placementRows(state: PlacementState, ts: Date, sampler: string): PlacementRows {
  const at = ts.toISOString();
  return {
    placement: state.leases.map((l) => ({
      ts: at,
      sampler,
      partition: l.partition,
      holder: l.holder,
      epoch: l.epoch,
      live: l.live ? 1 : 0,
      assigned_to: l.assigned_to ?? '',
    })),
    hosts: state.hosts.map((h) => ({
      ts: at,
      sampler,
      host: h.host,
      assigned: h.assigned,
      held: h.held,
      heartbeat_age_ms: h.heartbeat_age_ms,
      actors: h.actors,
      processed: h.processed,
      restarts: h.restarts,
    })),
  };
}

/**
 * Reads the placement as the supervisor's status command does (leases in `oi_leases`, live hosts,
 * their stats) and writes it to ClickHouse for the System dashboard.
 */
export async function recordPlacement(
  bus: Bus,
  ch: ClickHouse,
  opts: { partitions: number; leaseTtlMs: number; sampler: string; now?: Date }
): Promise<PlacementRows> {
  const now = opts.now ?? new Date();
  const state = await readPlacementState(bus, opts.partitions, opts.leaseTtlMs, now.getTime());
  const rows = placementRows(state, now, opts.sampler);
  if (rows.placement.length > 0) await ch.insert('actor_placement', rows.placement);
  if (rows.hosts.length > 0) await ch.insert('actor_hosts', rows.hosts);
  return rows;
}
