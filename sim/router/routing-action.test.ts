import { describe, expect, it } from 'vitest';
import type { ReplicaLoad } from './replica-load.js';
import { Router } from './router.js';
import { applyRoutingAction } from './routing-action.js';

const idle = (kv?: number): ReplicaLoad => ({
  numRequestsRunning: () => 0,
  numRequestsWaiting: () => 0,
  ...(kv === undefined ? {} : { kvCacheUsage: () => kv }),
});

function router(withKv = false): Router {
  const r = new Router();
  r.addReplica('a', idle(withKv ? 0.9 : undefined));
  r.addReplica('b', idle(withKv ? 0.2 : undefined));
  return r;
}

describe('sim/router applyRoutingAction', () => {
  it('switches the policy at runtime and returns what it applied', () => {
    const r = router(true);
    expect([r.route({ id: '1' }), r.route({ id: '2' })]).toEqual(['a', 'b']);
    const result = applyRoutingAction(r, { policy: 'kv_aware' });
    expect(result).toEqual({ ok: true, applied: { policy: 'kv_aware', weights: {} } });
    expect([r.route({ id: '3' }), r.route({ id: '4' })]).toEqual(['b', 'b']);
    expect(applyRoutingAction(r, { policy: 'weighted', weights: { a: 0 } })).toMatchObject({ ok: true });
    expect(r.route({ id: '5' })).toBe('b');
  });

  it('names the field and rule of a bad action and leaves routing unchanged', () => {
    const r = router();
    const cases: [unknown, string, string][] = [
      [{ policy: 'random' }, 'policy', 'invalid_value'],
      [{ policy: 'weighted', weights: { a: -1 } }, 'weights.a', 'too_small'],
      [{ policy: 'weighted', weights: { zzz: 1 } }, 'weights.zzz', 'unknown_replica'],
      [{ policy: 'weighted', weights: { a: 0, b: 0 } }, 'weights', 'all_zero'],
      [{ policy: 'kv_aware' }, 'policy', 'unsupported'],
      [{ kind: 'scale_replicas', policy: 'round_robin' }, 'kind', 'invalid_value'],
      ['round_robin', '(root)', 'invalid_type'],
    ];
    for (const [input, path, rule] of cases) {
      const result = applyRoutingAction(r, input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (result.ok) continue;
      expect(result.issues).toContainEqual(expect.objectContaining({ path, rule }));
      expect(result.message).toContain(path);
    }
    expect(r.routing).toEqual({ policy: 'round_robin', weights: {} });
  });
});
