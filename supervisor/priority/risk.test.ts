import { describe, expect, it } from 'vitest';
import { parseArbiterConfig } from './arbiter-config.js';
import { proposal } from './proposal-fixtures.js';
import { classifyRisk } from './risk.js';
import type { Proposal } from '../../schemas/index.js';

const risk = parseArbiterConfig().risk;
const nodes = (n: number) => ({ workload: 'wl-1', nodes: Array.from({ length: n }, (_, i) => `node-${i}`) });

// Thresholds from DESIGN.md "Risk levels": low ≤ 10% of capacity, reversible, no money; high > 50% or a purchase.
const rows: [name: string, p: Proposal, replicas: number, level: string, why: RegExp][] = [
  [
    'scale down 1 of 10 (10%)',
    proposal('p-risk-01', { action: { kind: 'scale_replicas', from: 10, to: 9 }, usd: -2_000 }),
    10,
    'low',
    /10% of 10/,
  ],
  [
    'scale down 2 of 10 (20%)',
    proposal('p-risk-02', { action: { kind: 'scale_replicas', from: 10, to: 8 } }),
    10,
    'medium',
    /20% of 10 replicas \(> 10%\)/,
  ],
  [
    'scale up 1 of 10, costs money',
    proposal('p-risk-03', { action: { kind: 'scale_replicas', from: 10, to: 11 }, usd: 2_000 }),
    10,
    'medium',
    /raises spend by 2000/,
  ],
  [
    'scale down 6 of 10 (60%)',
    proposal('p-risk-04', { action: { kind: 'scale_replicas', from: 10, to: 4 } }),
    10,
    'high',
    /60% of 10 replicas \(> 50%\)/,
  ],
  [
    'reserved purchase on one node',
    proposal('p-risk-05', {
      action: { kind: 'change_purchase_option', from: 'on_demand', to: 'reserved' },
      target: nodes(1),
      usd: -500,
    }),
    10,
    'high',
    /purchase commitment/,
  ],
  [
    'instance type on 1 of 10: slow rollback',
    proposal('p-risk-06', { action: { kind: 'change_instance_type', from: 'a', to: 'b' }, target: nodes(1) }),
    10,
    'medium',
    /rollback takes ~15 min/,
  ],
  [
    'engine flag on 1 of 20',
    proposal('p-risk-07', {
      action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 128 } },
      target: nodes(1),
    }),
    20,
    'low',
    /reversible in ~3 min/,
  ],
  [
    'engine flag on every replica',
    proposal('p-risk-08', { action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 128 } } }),
    4,
    'high',
    /100% of 4/,
  ],
  [
    'routing moves traffic, not capacity',
    proposal('p-risk-09', { action: { kind: 'set_routing', policy: 'kv_aware' } }),
    4,
    'low',
    /0% of 4/,
  ],
  [
    'keep the instance type',
    proposal('p-risk-10', { action: { kind: 'change_instance_type', from: 'a', to: 'a' } }),
    4,
    'low',
    /keeps the resource as it is/,
  ],
];

describe('priority classifyRisk', () => {
  it.each(rows)('%s → %s', (_name, p, replicas, level, why) => {
    const r = classifyRisk(p, replicas, risk);
    expect(r.level).toBe(level);
    expect(r.why).toMatch(why);
  });

  it('reports the agent disagreeing with the computed level', () => {
    const p = proposal('p-risk-11', { action: { kind: 'scale_replicas', from: 10, to: 3 }, risk: 'low' });
    const r = classifyRisk(p, 10, risk);
    expect(r.level).toBe('high');
    expect(r.disagreement).toBe(
      'agent declared low risk, supervisor computed high (changes 70% of 10 replicas (> 50%))'
    );
    expect(classifyRisk({ ...p, risk: 'high' }, 10, risk).disagreement).toBeUndefined();
  });

  it('follows configured thresholds', () => {
    const loose = parseArbiterConfig({ risk: { lowMaxShare: 0.3, highMinShare: 0.8 } }).risk;
    const p = proposal('p-risk-12', { action: { kind: 'scale_replicas', from: 10, to: 8 } });
    expect(classifyRisk(p, 10, loose).level).toBe('low');
    expect(() => parseArbiterConfig({ risk: { lowMaxShare: 0.6, highMinShare: 0.5 } })).toThrow(/lowMaxShare/);
    expect(() => parseArbiterConfig({ windowMs: -1 })).toThrow(/windowMs: Too small/);
  });
});
