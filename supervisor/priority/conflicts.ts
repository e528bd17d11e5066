import type { ActionSpec, Proposal } from '../../schemas/index.js';
import { isHold } from './risk.js';

/**
 * The conflict relation. Two proposals for the same workload and resource always conflict,
 * because only one may hold the resource's action lock; the kind says how:
 * - `duplicate`: the same action (the loser is superseded, not rejected);
 * - `opposed`: they pull the resource different ways: scale up vs down vs hold, a change vs
 *   keeping it ("downsize vs keep xlarge"), spot vs on-demand, the same engine flag to
 *   different values, a longer vs a shorter context limit;
 * - `exclusive`: different changes that cannot both hold the lock (two instance types, two
 *   routing policies, disjoint engine flags — each restarts the engine).
 * Across resources, a cheaper GPU (instance type, memory lost or USD saved) conflicts with a
 * need for more KV memory (resource agent) — resolved jointly, see joint-resolution.ts.
 */
export type ConflictKind = 'duplicate' | 'opposed' | 'exclusive';

export interface Conflict {
  kind: ConflictKind;
  why: string;
}

/** How an action moves its resource, for telling opposed from merely exclusive. */
export function direction(a: ActionSpec): string {
  if (isHold(a)) return 'hold';
  switch (a.kind) {
    case 'scale_replicas':
      return a.to > a.from ? 'up' : 'down';
    case 'change_instance_type':
    case 'change_purchase_option':
      return `to ${a.to}`;
    case 'set_routing':
      return `policy ${a.policy}`;
    case 'set_context_limit':
      return `max_model_len ${a.max_model_len}`;
    case 'reconfigure_engine':
      return `flags ${Object.keys(a.changes).sort().join(',')}`;
    case 'enable_kv_offload':
      return 'kv offload';
  }
}

export function describeAction(a: ActionSpec): string {
  switch (a.kind) {
    case 'scale_replicas':
      return `scale ${a.from}→${a.to} replicas`;
    case 'change_instance_type':
      return a.from === a.to ? `keep ${a.from}` : `instance ${a.from}→${a.to}`;
    case 'change_purchase_option':
      return a.from === a.to ? `stay ${a.from}` : `purchase ${a.from}→${a.to}`;
    case 'reconfigure_engine':
      return `engine ${Object.entries(a.changes)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`;
    case 'set_routing':
      return `routing ${a.policy}`;
    case 'set_context_limit':
      return `context ${a.max_model_len}`;
    case 'enable_kv_offload':
      return `KV offload ${a.cpu_gib} GiB CPU${a.disk_gib ? ` + ${a.disk_gib} GiB disk` : ''}`;
  }
}

/** The conflict between two proposals, or undefined when they may both proceed. */
export function conflictBetween(a: Proposal, b: Proposal): Conflict | undefined {
  if (a.workload !== b.workload || a.resource !== b.resource) return undefined;
  const x = a.action;
  const y = b.action;
  if (sameAction(x, y)) return { kind: 'duplicate', why: `both ask ${describeAction(x)}` };
  const opposed = { kind: 'opposed' as const, why: `${describeAction(x)} vs ${describeAction(y)}` };
  const exclusive = { kind: 'exclusive' as const, why: `${describeAction(x)} vs ${describeAction(y)}: one lock` };
  if (x.kind === 'scale_replicas' && y.kind === 'scale_replicas') {
    return direction(x) !== direction(y) ? opposed : exclusive;
  }
  if (isHold(x) !== isHold(y)) return opposed;
  if (x.kind === 'change_purchase_option' && y.kind === 'change_purchase_option') return opposed;
  if (x.kind === 'reconfigure_engine' && y.kind === 'reconfigure_engine') {
    const clash = Object.keys(x.changes).some((k) => k in y.changes && y.changes[k] !== x.changes[k]);
    return clash ? opposed : exclusive;
  }
  if (x.kind === 'set_context_limit' && y.kind === 'set_context_limit') return opposed;
  return exclusive;
}

function sameAction(x: ActionSpec, y: ActionSpec): boolean {
  return canonicalJson(x) === canonicalJson(y);
}

function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}
