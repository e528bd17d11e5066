import { rendezvousScore } from './rendezvous.js';

/** Orders (partition, host) pairs by score, then by host and partition so ties stay deterministic. */
function better(p: number, a: string, q: number, b: string): boolean {
  const sa = rendezvousScore(p, a);
  const sb = rendezvousScore(q, b);
  if (sa !== sb) return sa > sb;
  if (a !== b) return a < b;
  return p < q;
}

/**
 * Capacity per host: ⌈P/N⌉ for P mod N hosts, ⌊P/N⌋ for the rest. The larger slots go to the
 * hosts already holding the most, so a balanced layout never has to shed partitions.
 */
function capacities(partitions: number, hosts: string[], held: Map<string, number[]>): Map<string, number> {
  const base = Math.floor(partitions / hosts.length);
  const extra = partitions % hosts.length;
  const order = [...hosts].sort((a, b) => {
    const d = (held.get(b)?.length ?? 0) - (held.get(a)?.length ?? 0);
    if (d !== 0) return d;
    const s = rendezvousScore(-1, b) - rendezvousScore(-1, a);
    return s !== 0 ? s : a < b ? -1 : 1;
  });
  return new Map(order.map((h, i) => [h, base + (i < extra ? 1 : 0)]));
}

/**
 * Sticky balanced rendezvous: partitions stay on their live host unless it is over capacity;
 * orphans and surplus go to the under-full host that scores them highest. Hosts end with
 * ⌊P/N⌋ or ⌈P/N⌉ partitions. Same inputs give the same output, whatever the host order.
 */
export function assign(
  partitions: number,
  hosts: readonly string[],
  current: ReadonlyMap<number, string>
): Map<number, string> {
  if (!Number.isInteger(partitions) || partitions < 0) {
    throw new Error(`partitions must be a non-negative integer, got ${partitions}`);
  }
  const live = [...new Set(hosts)].sort();
  const out = new Map<number, string>();
  if (live.length === 0 || partitions === 0) return out;

  const liveSet = new Set(live);
  const held = new Map<string, number[]>();
  for (let p = 0; p < partitions; p++) {
    const h = current.get(p);
    if (h === undefined || !liveSet.has(h)) continue;
    const list = held.get(h);
    if (list) list.push(p);
    else held.set(h, [p]);
  }
  const cap = capacities(partitions, live, held);

  const pool: number[] = [];
  const load = new Map<string, number>(live.map((h) => [h, 0]));
  for (const [host, ps] of held) {
    // keep the partitions the host scores highest; the surplus is those it scores lowest
    const ranked = [...ps].sort((p, q) => (better(p, host, q, host) ? -1 : 1));
    const keep = cap.get(host) ?? 0;
    for (const p of ranked.slice(0, keep)) out.set(p, host);
    pool.push(...ranked.slice(keep));
    load.set(host, Math.min(ps.length, keep));
  }
  const surplus = new Set(pool);
  for (let p = 0; p < partitions; p++) if (!out.has(p) && !surplus.has(p)) pool.push(p);
  pool.sort((a, b) => a - b);

  for (const p of pool) {
    let best: string | undefined;
    for (const h of live) {
      if ((load.get(h) ?? 0) >= (cap.get(h) ?? 0)) continue;
      if (best === undefined || better(p, h, p, best)) best = h;
    }
    if (best === undefined) throw new Error(`no capacity left for partition ${p}`); // unreachable: caps sum to P
    out.set(p, best);
    load.set(best, (load.get(best) ?? 0) + 1);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

/** How many partitions change host between two assignments (including ones that appear or vanish). */
export function movedCount(before: ReadonlyMap<number, string>, after: ReadonlyMap<number, string>): number {
  let moved = 0;
  for (const p of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(p) !== after.get(p)) moved++;
  }
  return moved;
}
