import { decisionV1, proposalV1, type ActionSpec, type Proposal } from '../../schemas/index.js';
import type { Effect } from './effects.js';
import type { WorkloadContext } from './workload-context.js';

/** Event time 0 of the fixtures: 2026-11-24T12:00:00Z. */
export const T0 = Date.parse('2026-11-24T12:00:00Z');

const AGENT_OF = {
  operator: 'cost',
  quality: 'application',
  slo: 'performance',
  resource: 'resource',
  cost: 'cost',
} as const;

/** Rollback of an action: the reverse change where there is one, else the same kind unchanged. */
function rollbackOf(a: ActionSpec): ActionSpec {
  switch (a.kind) {
    case 'scale_replicas':
    case 'change_instance_type':
      return { ...a, from: a.to, to: a.from } as ActionSpec;
    case 'change_purchase_option':
      return { kind: a.kind, from: a.to, to: a.from };
    case 'reconfigure_engine':
      return { kind: a.kind, changes: Object.fromEntries(Object.keys(a.changes).map((k) => [k, null])) };
    case 'enable_kv_offload':
      return { kind: 'reconfigure_engine', changes: { 'kv-transfer-config': null } };
    default:
      return a;
  }
}

/** A schema-valid proposal; only what a test cares about needs saying. */
export function proposal(
  id: string,
  over: Partial<Proposal> & Pick<Proposal, 'action'> & { usd?: number; slo?: number; gib?: number }
): Proposal {
  const { usd, slo, gib, ...rest } = over;
  const cls = rest.priority_class ?? 'cost';
  const workload = rest.workload ?? 'wl-1';
  const draft = {
    proposal_id: id,
    agent: AGENT_OF[cls],
    workload,
    resource: '',
    target: { workload },
    expected_impact: {
      usd_per_month: usd ?? 0,
      ...(slo !== undefined ? { slo_attainment_delta: slo } : {}),
      ...(gib !== undefined ? { gpu_memory_gib_delta: gib } : {}),
    },
    confidence: 0.8,
    risk: 'low',
    priority_class: cls,
    evidence: [{ metric: 'fixture', value: 1 }],
    rollback_plan: { action: rollbackOf(rest.action), verify_window_s: 300 },
    epoch: 1,
    expires_at: new Date(T0 + 3_600_000).toISOString(),
    explanation: `fixture ${id}`,
    ...rest,
  };
  const resource = {
    scale_replicas: 'replicas',
    change_instance_type: 'instance_type',
    change_purchase_option: 'purchase_option',
    reconfigure_engine: 'engine_config',
    set_routing: 'routing',
    set_context_limit: 'context_limits',
    enable_kv_offload: 'engine_config',
  }[rest.action.kind];
  return proposalV1.data.parse({ ...draft, resource: rest.resource ?? resource });
}

export function workload(over: Partial<WorkloadContext> = {}): WorkloadContext {
  return {
    workload: 'wl-1',
    mode: 'auto',
    replicas: 10,
    usdPerMonth: 20_000,
    constraints: { spot_allowed: false },
    ...over,
  };
}

/** Decisions among `effects`, each checked against the wire schema. */
export function decisionsOf(effects: readonly Effect[]): Extract<Effect, { type: 'decision' }>[] {
  const out = effects.filter((e): e is Extract<Effect, { type: 'decision' }> => e.type === 'decision');
  for (const d of out) decisionV1.data.parse(d.decision);
  return out;
}

export function fatesOf(effects: readonly Effect[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of effects) if (e.type === 'outcome') out[e.proposalId] = e.fate;
  return out;
}
