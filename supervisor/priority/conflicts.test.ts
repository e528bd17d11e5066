import { describe, expect, it } from 'vitest';
import { conflictBetween } from './conflicts.js';
import { checkConstraints } from './constraints.js';
import { proposal, workload } from './proposal-fixtures.js';
import type { ActionSpec } from '../../schemas/index.js';

const p = (id: string, action: ActionSpec, over: { workload?: string; usd?: number; slo?: number } = {}) =>
  proposal(id, { action, ...over });

describe('priority conflictBetween', () => {
  it.each([
    [
      'scale up vs down',
      { kind: 'scale_replicas', from: 4, to: 6 },
      { kind: 'scale_replicas', from: 4, to: 3 },
      'opposed',
    ],
    [
      'two scale-ups to different sizes',
      { kind: 'scale_replicas', from: 4, to: 6 },
      { kind: 'scale_replicas', from: 4, to: 5 },
      'exclusive',
    ],
    [
      'hold vs scale',
      { kind: 'scale_replicas', from: 4, to: 4 },
      { kind: 'scale_replicas', from: 4, to: 5 },
      'opposed',
    ],
    [
      'same action',
      { kind: 'scale_replicas', from: 4, to: 6 },
      { kind: 'scale_replicas', from: 4, to: 6 },
      'duplicate',
    ],
    [
      'spot vs on-demand',
      { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
      { kind: 'change_purchase_option', from: 'on_demand', to: 'on_demand' },
      'opposed',
    ],
    [
      'downsize vs keep',
      { kind: 'change_instance_type', from: 'x', to: 'y' },
      { kind: 'change_instance_type', from: 'x', to: 'x' },
      'opposed',
    ],
    [
      'two instance types',
      { kind: 'change_instance_type', from: 'x', to: 'y' },
      { kind: 'change_instance_type', from: 'x', to: 'z' },
      'exclusive',
    ],
    [
      'same engine flag, other value',
      { kind: 'reconfigure_engine', changes: { a: 1 } },
      { kind: 'reconfigure_engine', changes: { a: 2, b: 1 } },
      'opposed',
    ],
    [
      'disjoint engine flags',
      { kind: 'reconfigure_engine', changes: { a: 1 } },
      { kind: 'reconfigure_engine', changes: { b: 1 } },
      'exclusive',
    ],
    [
      'KV offload vs engine flag',
      { kind: 'enable_kv_offload', cpu_gib: 8 },
      { kind: 'reconfigure_engine', changes: { b: 1 } },
      'exclusive',
    ],
    [
      'two routing policies',
      { kind: 'set_routing', policy: 'kv_aware' },
      { kind: 'set_routing', policy: 'round_robin' },
      'exclusive',
    ],
  ] as [string, ActionSpec, ActionSpec, string][])('%s → %s', (_n, a, b, kind) => {
    expect(conflictBetween(p('p-conf-a', a), p('p-conf-b', b))?.kind).toBe(kind);
    expect(conflictBetween(p('p-conf-b', b), p('p-conf-a', a))?.kind).toBe(kind);
  });

  it('finds no conflict across resources or workloads', () => {
    const up = p('p-conf-c', { kind: 'scale_replicas', from: 4, to: 6 });
    expect(conflictBetween(up, p('p-conf-d', { kind: 'set_routing', policy: 'kv_aware' }))).toBeUndefined();
    expect(
      conflictBetween(up, p('p-conf-e', { kind: 'scale_replicas', from: 4, to: 2 }, { workload: 'wl-2' }))
    ).toBeUndefined();
  });
});

describe('priority checkConstraints', () => {
  const at = 0;
  it('names the constraint and the rule it broke', () => {
    const ctx = workload({
      usdPerMonth: 10_000,
      sloAttainment: 0.97,
      constraints: {
        spot_allowed: false,
        allowed_instance_types: ['g6e.xlarge'],
        min_slo_attainment: 0.95,
        max_cost_increase_pct: 5,
      },
    });
    expect(
      checkConstraints(
        p('p-cons-1', { kind: 'change_instance_type', from: 'g6e.xlarge', to: 'p5.48xlarge' }),
        ctx,
        at,
        0.7
      )
    ).toEqual({
      constraint: 'allowed_instance_types',
      reason: 'p5.48xlarge is not an allowed instance type (g6e.xlarge)',
    });
    expect(
      checkConstraints(p('p-cons-2', { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' }), ctx, at, 0.7)
    ).toMatchObject({
      constraint: 'spot_allowed',
    });
    // 0.97 − 0.03 = 0.94 < 0.95
    expect(
      checkConstraints(p('p-cons-3', { kind: 'scale_replicas', from: 4, to: 3 }, { slo: -0.03 }), ctx, at, 0.7)
    ).toEqual({
      constraint: 'min_slo_attainment',
      reason: 'SLO attainment would fall to 0.94 (< 0.95)',
    });
    expect(
      checkConstraints(p('p-cons-4', { kind: 'scale_replicas', from: 4, to: 3 }, { slo: -0.01 }), ctx, at, 0.7)
    ).toEqual({});
    // 5% of 10 000 = 500 USD/month
    expect(
      checkConstraints(p('p-cons-5', { kind: 'scale_replicas', from: 4, to: 5 }, { usd: 600 }), ctx, at, 0.7)
    ).toMatchObject({
      constraint: 'max_cost_increase_pct',
    });
  });

  it('lets a scale-up through on spot when only the spot price fits', () => {
    const ctx = workload({ usdPerMonth: 10_000, constraints: { spot_allowed: true, max_cost_increase_pct: 5 } });
    // 1 500 × (1 − 0.7) = 450 ≤ 500
    expect(
      checkConstraints(p('p-cons-6', { kind: 'scale_replicas', from: 4, to: 5 }, { usd: 1_500 }), ctx, at, 0.7)
    ).toEqual({ onlyOnSpot: true });
    expect(
      checkConstraints(p('p-cons-7', { kind: 'scale_replicas', from: 4, to: 5 }, { usd: 1_800 }), ctx, at, 0.7)
    ).toMatchObject({
      constraint: 'max_cost_increase_pct',
    });
  });

  it('honours operator pins until they lapse, and lets operator proposals through', () => {
    const ctx = workload({ pins: [{ resource: 'replicas', by: 'bob', untilMs: 1_000 }] });
    const up = p('p-cons-8', { kind: 'scale_replicas', from: 4, to: 5 });
    expect(checkConstraints(up, ctx, 500, 0.7)).toEqual({
      constraint: 'operator_pin',
      reason: 'replicas is pinned by bob',
    });
    expect(checkConstraints(up, ctx, 1_000, 0.7)).toEqual({});
    expect(checkConstraints({ ...up, priority_class: 'operator' }, ctx, 500, 0.7)).toEqual({});
  });
});
