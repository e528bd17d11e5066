import { actionSpec, describeIssues, issuesOf, type FieldIssue } from '../../schemas/index.js';
import type { RoutableRequest, Router, RoutingConfig } from './router.js';

export type RoutingActionResult =
  { ok: true; applied: RoutingConfig } | { ok: false; issues: FieldIssue[]; message: string };

function refused(issues: FieldIssue[]): RoutingActionResult {
  return { ok: false, issues, message: `routing action refused: ${describeIssues(issues)}` };
}

/**
 * The executor of routing decisions: validates `{ policy, weights? }` against the `set_routing` action
 * schema and the router's replicas, then applies it. Returns the applied configuration, or the issues
 * naming each field and rule; a refused action leaves the routing unchanged.
 */
export function applyRoutingAction<R extends RoutableRequest>(router: Router<R>, input: unknown): RoutingActionResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return refused([{ path: '(root)', rule: 'invalid_type', message: 'expected an object { policy, weights? }' }]);
  }
  const o = input as Record<string, unknown>;
  if ('kind' in o && o.kind !== 'set_routing') {
    return refused([{ path: 'kind', rule: 'invalid_value', message: 'a routing action has kind set_routing' }]);
  }
  const parsed = actionSpec.safeParse({ ...o, kind: 'set_routing' });
  if (!parsed.success) return refused(issuesOf(parsed.error));
  if (parsed.data.kind !== 'set_routing') throw new Error('unreachable: kind was set to set_routing');
  const { policy } = parsed.data;
  const weights = parsed.data.weights ?? {};
  const replicas = router.replicaIds();
  const issues: FieldIssue[] = [];
  for (const id of Object.keys(weights)) {
    if (!replicas.includes(id)) {
      issues.push({
        path: `weights.${id}`,
        rule: 'unknown_replica',
        message: `no replica ${id} (replicas: ${replicas.join(', ') || 'none'})`,
      });
    }
  }
  if (replicas.length > 0 && replicas.every((id) => (weights[id] ?? 1) === 0)) {
    issues.push({ path: 'weights', rule: 'all_zero', message: 'at least one replica must weigh more than 0' });
  }
  if (policy === 'kv_aware') {
    for (const id of replicas) {
      if (!router.replicaLoad(id)?.kvCacheUsage) {
        issues.push({
          path: 'policy',
          rule: 'unsupported',
          message: `kv_aware needs KV-cache usage, replica ${id} reports none`,
        });
        break;
      }
    }
  }
  if (issues.length > 0) return refused(issues);
  router.setRouting({ policy, weights });
  return { ok: true, applied: router.routing };
}
