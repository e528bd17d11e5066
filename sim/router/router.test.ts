import { describe, expect, it } from 'vitest';
import { readMooncakeTrace } from '../trace/index.js';
import { PrefixIndex } from './prefix-index.js';
import type { ReplicaLoad } from './replica-load.js';
import { Router, type RoutableRequest } from './router.js';

/** A replica whose queue is what was routed to it and not completed (what an engine reports). */
class QueueReplica implements ReplicaLoad {
  waiting = 0;
  running = 0;
  numRequestsRunning(): number {
    return this.running;
  }
  numRequestsWaiting(): number {
    return this.waiting;
  }
}

function fleet(ids: string[], options: ConstructorParameters<typeof Router>[0] = {}) {
  const router = new Router(options);
  const loads = new Map<string, QueueReplica>();
  for (const id of ids) {
    const q = new QueueReplica();
    loads.set(id, q);
    router.addReplica(id, q);
  }
  const send = (req: RoutableRequest): string => {
    const to = router.route(req);
    loads.get(to)!.waiting++;
    return to;
  };
  return { router, loads, send };
}

const req = (id: string | number, prefixHashes?: number[]): RoutableRequest =>
  prefixHashes ? { id: String(id), prefixHashes } : { id: String(id) };

describe('sim/router round_robin and weighted', () => {
  it('cycles through the replicas in order', () => {
    const { send } = fleet(['a', 'b', 'c']);
    expect(Array.from({ length: 7 }, (_, i) => send(req(i)))).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('shares by weight without sending a run to one replica', () => {
    const { send } = fleet(['a', 'b'], { policy: 'weighted', weights: { a: 3, b: 1 } });
    const picks = Array.from({ length: 8 }, (_, i) => send(req(i)));
    expect(picks.filter((p) => p === 'a').length).toBe(6);
    expect(picks.join('')).not.toContain('aaaa');
  });
});

describe('sim/router least_loaded', () => {
  it('picks the replica with the fewest running + waiting requests', () => {
    const { router, loads, send } = fleet(['a', 'b', 'c'], { policy: 'least_loaded' });
    loads.get('a')!.running = 5;
    loads.get('b')!.running = 1;
    loads.get('b')!.waiting = 1;
    loads.get('c')!.waiting = 3;
    expect(send(req(1))).toBe('b');
    // b now 3, c 3, a 5: the next two go to b/c until they pass a
    send(req(2));
    send(req(3));
    expect(loads.get('b')!.waiting + loads.get('b')!.running).toBe(4);
    expect(loads.get('c')!.waiting).toBe(4);
    expect(router.stats().routed).toBe(3);
  });
});

describe('sim/router prefix_affinity', () => {
  it('keeps requests that share a prefix on one replica and spreads the rest', () => {
    const { send } = fleet(['a', 'b', 'c', 'd'], { policy: 'prefix_affinity' });
    const shared = [101, 102, 103];
    const sharedPicks = new Set<string>();
    const otherPicks = new Set<string>();
    for (let i = 0; i < 8; i++) {
      sharedPicks.add(send(req(`s${i}`, [...shared, 1000 + i])));
      otherPicks.add(send(req(`o${i}`, [2000 + i])));
    }
    expect(sharedPicks.size).toBe(1);
    expect(otherPicks.size).toBeGreaterThan(1);
  });

  it('falls back to the least-loaded replica when the affine one is overloaded', () => {
    const { router, loads, send } = fleet(['a', 'b'], {
      policy: 'prefix_affinity',
      prefixAffinity: { imbalanceAbs: 4, imbalanceRel: 1.5 },
    });
    const first = send(req(0, [7, 8]));
    loads.get(first)!.waiting = 10;
    const other = first === 'a' ? 'b' : 'a';
    expect(send(req(1, [7, 8, 9]))).toBe(other);
    expect(router.stats().prefixHits).toBe(0);
    // the chain was last served by the other replica now: it is the affine one
    expect(send(req(2, [7, 8]))).toBe(other);
    expect(router.stats().prefixHits).toBe(1);
  });

  it('reuses more cached prefix blocks on the Mooncake trace than round-robin or least-loaded, load still spread', async () => {
    const trace: RoutableRequest[] = [];
    for await (const r of readMooncakeTrace('/work/shared/data/traces/mooncake-fast25/synthetic_trace.jsonl')) {
      trace.push(r);
      if (trace.length === 1500) break;
    }
    const run = (policy: 'round_robin' | 'least_loaded' | 'prefix_affinity') => {
      const { router, loads, send } = fleet(['a', 'b', 'c', 'd'], { policy });
      const cached = new Map([...loads.keys()].map((id) => [id, new Set<number>()]));
      const inFlight: [string, string][] = [];
      let reused = 0;
      for (const r of trace) {
        const to = send(r);
        const blocks = cached.get(to)!;
        for (const h of r.prefixHashes!) {
          if (!blocks.has(h)) break;
          reused++;
        }
        for (const h of r.prefixHashes!) blocks.add(h);
        // each request stays queued while the next 24 arrive, so queues build up and matter
        inFlight.push([r.id, to]);
        if (inFlight.length > 24) {
          const [id, on] = inFlight.shift()!;
          router.complete(id);
          loads.get(on)!.waiting--;
        }
      }
      return { reused, maxShare: Math.max(...Object.values(router.stats().byReplica)) / trace.length };
    };
    const rr = run('round_robin');
    const ll = run('least_loaded');
    const affine = run('prefix_affinity');
    expect(affine.reused).toBeGreaterThan(rr.reused * 1.2);
    expect(affine.reused).toBeGreaterThan(ll.reused * 1.2);
    expect(affine.maxShare).toBeLessThan(0.5);
  });
});

describe('sim/router replica removal', () => {
  it('re-routes the unfinished requests of a removed replica and counts them as retries', () => {
    const { router, send } = fleet(['a', 'b', 'c']);
    for (let i = 0; i < 6; i++) send(req(i));
    // b holds requests 1 and 4; request 1 finished
    router.complete('1');
    const { rerouted, unroutable } = router.removeReplica('b');
    expect(rerouted.map((r) => r.request.id)).toEqual(['4']);
    expect(rerouted[0]!.from).toBe('b');
    expect(['a', 'c']).toContain(rerouted[0]!.to);
    expect(unroutable).toEqual([]);
    expect(router.inFlight(rerouted[0]!.to)).toContain('4');
    expect(router.stats().retries).toBe(1);
    expect(router.replicaIds()).toEqual(['a', 'c']);
    expect(Array.from({ length: 4 }, (_, i) => send(req(`n${i}`))).every((to) => to !== 'b')).toBe(true);
  });

  it('reports requests left without any replica', () => {
    const { router, send } = fleet(['a']);
    send(req(1));
    send(req(2));
    expect(router.removeReplica('a').unroutable.map((r) => r.id)).toEqual(['1', '2']);
    expect(router.stats()).toMatchObject({ retries: 0, unroutable: 2 });
    expect(() => router.route(req(3))).toThrow(/no replica/);
  });
});

describe('sim/router PrefixIndex', () => {
  it('stays within its node budget and keeps the most recent chains', () => {
    const index = new PrefixIndex<string>(5);
    index.record([1, 2, 3], 'a');
    index.record([4, 5, 6], 'b');
    expect(index.size).toBe(5);
    expect(index.longestMatch([4, 5, 6, 7], () => true)).toEqual({ replica: 'b', blocks: 3 });
    // the older chain lost its deepest block first
    expect(index.longestMatch([1, 2, 3], () => true)).toEqual({ replica: 'a', blocks: 2 });
  });
});
