import { describe, expect, it } from 'vitest';
import { Guardrails } from '../guardrails/index.js';
import { Arbiter } from './arbiter.js';
import type { Effect } from './effects.js';
import { T0, decisionsOf, proposal, workload } from './proposal-fixtures.js';
import type { OperatingMode } from './workload-context.js';

const nodes = (n: number) => ({ workload: 'wl-1', nodes: Array.from({ length: n }, (_, i) => `node-${i}`) });
// one proposal per risk level, each on its own resource so all three win their arbitration
const proposals = [
  proposal('p-mode-low', { priority_class: 'cost', action: { kind: 'scale_replicas', from: 10, to: 9 }, usd: -2_000 }),
  proposal('p-mode-medium', {
    priority_class: 'slo',
    action: { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 256 } },
    target: nodes(2),
    slo: 0.02,
  }),
  proposal('p-mode-high', {
    priority_class: 'cost',
    action: { kind: 'change_purchase_option', from: 'on_demand', to: 'reserved' },
    target: nodes(1),
    usd: -800,
  }),
];

function run(mode: OperatingMode): { effects: Effect[]; arbiter: Arbiter } {
  // the three together change 4 of 10 replicas, within the default cap of 50% at once
  const arbiter = new Arbiter({ guardrails: new Guardrails() });
  arbiter.setWorkload(workload({ mode }));
  const effects = proposals.flatMap((p, i) => arbiter.submit(p, T0 + i));
  effects.push(...arbiter.advance(T0 + 60_000));
  return { effects, arbiter };
}

const verdicts = (effects: Effect[]) =>
  Object.fromEntries(
    decisionsOf(effects).map((d) => [d.decision.proposal_id, `${d.decision.verdict}${d.execute ? '+run' : ''}`])
  );
const notified = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.proposalId] : []));

describe('priority operating modes', () => {
  it('advisory: everything waits for approval, holding its lock; approval runs it', () => {
    const { effects, arbiter } = run('advisory');
    expect(verdicts(effects)).toEqual({
      'p-mode-low': 'pending_approval',
      'p-mode-medium': 'pending_approval',
      'p-mode-high': 'pending_approval',
    });
    expect(notified(effects)).toEqual(['p-mode-low', 'p-mode-high', 'p-mode-medium']);
    expect(arbiter.locks()).toHaveLength(3);
    const approved = arbiter.approve('p-mode-high', 'alice', T0 + 120_000);
    expect(verdicts(approved)).toEqual({ 'p-mode-high': 'approved+run' });
    expect(decisionsOf(approved)[0]?.decision.mode).toBe('advisory');
  });

  it('semi: low risk runs, the rest waits', () => {
    const { effects } = run('semi');
    expect(verdicts(effects)).toEqual({
      'p-mode-low': 'approved+run',
      'p-mode-medium': 'pending_approval',
      'p-mode-high': 'pending_approval',
    });
    expect(notified(effects)).toEqual(['p-mode-high', 'p-mode-medium']);
  });

  it('auto: everything runs and the operator is notified', () => {
    const { effects } = run('auto');
    expect(verdicts(effects)).toEqual({
      'p-mode-low': 'approved+run',
      'p-mode-medium': 'approved+run',
      'p-mode-high': 'approved+run',
    });
    expect(notified(effects)).toEqual(['p-mode-low', 'p-mode-high', 'p-mode-medium']);
  });

  it('shadow: decided and recorded, never executed, no lock taken', () => {
    const { effects, arbiter } = run('shadow');
    expect(verdicts(effects)).toEqual({
      'p-mode-low': 'shadowed',
      'p-mode-medium': 'shadowed',
      'p-mode-high': 'shadowed',
    });
    expect(effects.some((e) => e.type === 'decision' && e.execute)).toBe(false);
    expect(arbiter.locks()).toEqual([]);
    const rows = effects.flatMap((e) => (e.type === 'audit' ? [e.row] : []));
    expect(rows.map((r) => [r.proposal_id, r.verdict, r.fate])).toEqual([
      ['p-mode-low', 'shadowed', 'decided'],
      ['p-mode-high', 'shadowed', 'decided'],
      ['p-mode-medium', 'shadowed', 'decided'],
    ]);
    expect(rows[0]?.reason).toBe('guardrails would pass');
  });

  it('stamps the computed risk level into the decision reason when the agent disagrees', () => {
    const { effects } = run('semi');
    const high = decisionsOf(effects).find((d) => d.decision.proposal_id === 'p-mode-high');
    expect(high?.decision.reason).toMatch(/agent declared low risk, supervisor computed high \(a purchase commitment/);
  });
});
