import { readPlacementState } from '../../supervisor/index.js';
import { check } from '../../testkit/index.js';
import type { CommandLoad } from './load.js';
import { sendMarker } from './load.js';
import { loadInput } from './load-input.js';
import type { ChaosRig } from './rig.js';

/** Whether ClickHouse holds a row of message `id` in `tel_gpu` (false while it is down). */
async function stored(rig: ChaosRig, id: string): Promise<boolean> {
  if (!rig.ch) return true;
  const u = new URL(rig.ch.url);
  u.searchParams.set('database', rig.ch.db);
  try {
    const res = await fetch(u, {
      method: 'POST',
      body: `SELECT count() FROM tel_gpu WHERE id = '${id}'`,
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok && Number((await res.text()).trim()) > 0;
  } catch {
    return false;
  }
}

async function applied(rig: ChaosRig, id: string): Promise<boolean> {
  try {
    return (await rig.bus.nc.request('chaos.receiver.has', id, { timeout: 1_000 })).string() === '1';
  } catch {
    return false;
  }
}

/**
 * Sends a telemetry marker, an action and a proposal, then resolves with the milliseconds
 * until all came through: the marker applied by an actor and stored in ClickHouse, the action
 * answered by the gpu-edge, the proposal resolved by the supervisor, every partition leased
 * live. After `timeoutMs`: no `ms`, and what is still missing.
 */
export async function probeRecovery(
  rig: ChaosRig,
  load: CommandLoad,
  timeoutMs: number
): Promise<{ ms?: number; missing: string[] }> {
  const t0 = Date.now();
  const [marker, action, proposal] = await Promise.all([sendMarker(rig.bus), load.sendAction(), load.sendProposal()]);
  const pending = new Set(['applied', 'stored', 'action', 'proposal', 'placement']);
  try {
    await check(
      async () => {
        if (pending.has('applied') && (await applied(rig, marker))) pending.delete('applied');
        if (pending.has('stored') && (await stored(rig, marker))) pending.delete('stored');
        if (pending.has('action') || pending.has('proposal')) {
          const ev = (await loadInput(rig.dir)).events ?? [];
          if (ev.some((e) => e.k !== 'outcome' && e.action === action)) pending.delete('action');
          if (ev.some((e) => e.k === 'outcome' && e.proposal === proposal)) pending.delete('proposal');
        }
        if (pending.has('placement')) {
          const s = await readPlacementState(rig.bus, rig.P, rig.ttl).catch(() => undefined);
          if (s && s.leases.filter((l) => l.live).length === rig.P && s.leader) pending.delete('placement');
        }
        return pending.size === 0 || undefined;
      },
      timeoutMs,
      { name: 'recovery', intervalMs: 250 }
    );
    return { ms: Date.now() - t0, missing: [] };
  } catch {
    return { missing: [...pending] };
  }
}
