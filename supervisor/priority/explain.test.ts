import { describe, expect, it } from 'vitest';
import { Arbiter } from './arbiter.js';
import type { AuditRow, Effect } from './effects.js';
import { explain } from './explain.js';
import { T0, proposal, workload } from './proposal-fixtures.js';

const MIN = 60_000;
const rowsOf = (effects: Effect[]): AuditRow[] =>
  // through JSON, as PostgreSQL jsonb would hand them back
  JSON.parse(JSON.stringify(effects.flatMap((e) => (e.type === 'audit' ? [e.row] : [])))) as AuditRow[];

function story(): AuditRow[] {
  const a = new Arbiter();
  a.setWorkload(workload({ mode: 'semi' }));
  a.setWorkload(workload({ workload: 'wl-2', mode: 'semi' }));
  const effects: Effect[] = [
    ...a.submit(
      proposal('p-exp-down', {
        priority_class: 'cost',
        action: { kind: 'scale_replicas', from: 10, to: 9 },
        usd: -2_000,
      }),
      T0
    ),
    ...a.submit(
      proposal('p-exp-up', {
        priority_class: 'slo',
        action: { kind: 'scale_replicas', from: 10, to: 12 },
        usd: 3_000,
        slo: 0.03,
      }),
      T0 + 5_000
    ),
    ...a.submit(
      proposal('p-exp-ctx', {
        workload: 'wl-2',
        priority_class: 'quality',
        action: { kind: 'set_context_limit', max_model_len: 16_384 },
      }),
      T0 + 6_000
    ),
    ...a.submit(
      proposal('p-exp-old', {
        workload: 'wl-2',
        action: { kind: 'set_routing', policy: 'kv_aware' },
        expires_at: new Date(T0 + 10_000).toISOString(),
      }),
      T0 + 7_000
    ),
    ...a.advance(T0 + MIN),
    ...a.approve('p-exp-up', 'alice@example.com', T0 + 2 * MIN),
    ...a.pause('bob@example.com', T0 + 3 * MIN),
    ...a.approve('p-exp-ctx', 'carol@example.com', T0 + 4 * MIN),
  ];
  return rowsOf(effects).reverse(); // any order will do
}

describe('priority explain', () => {
  const rows = story();

  it('says who beat a losing proposal and by which rule', () => {
    const e = explain(rows, 'p-exp-down');
    expect(e).toMatchObject({
      fate: 'rejected',
      verdict: 'rejected',
      rule: 'priority slo > cost',
      beatenBy: 'p-exp-up',
    });
    expect(e.competitors.map((c) => [c.proposal_id, c.outcome])).toEqual([
      ['p-exp-down', 'lost to p-exp-up: priority slo > cost'],
      ['p-exp-up', 'won'],
    ]);
    expect(e.text).toBe(
      'p-exp-down (cost, cost: scale 10→9 replicas) ended rejected with verdict rejected under rule "priority slo > cost". ' +
        'It gave way to p-exp-up. Competing: p-exp-up (slo, scale 10→12 replicas) won.'
    );
  });

  it('shows the approval, the mode and the risk the supervisor computed for a winner', () => {
    const e = explain(rows, 'p-exp-up');
    expect(e).toMatchObject({ fate: 'decided', verdict: 'approved', rule: 'approved by alice@example.com' });
    expect(e.approvals).toEqual([{ by: 'alice@example.com', at: '2026-11-24T12:02:00.000Z' }]);
    expect(e.riskDisagreement).toBe(
      'agent declared low risk, supervisor computed medium (changes 20% of 10 replicas (> 10%); raises spend by 3000 USD/month)'
    );
    expect(e.steps).toEqual([
      expect.stringMatching(
        /^2026-11-24T12:00:30.000Z decision \(pending_approval\) by supervisor: priority slo > cost; mode semi: medium risk waits/
      ),
      '2026-11-24T12:02:00.000Z approval by alice@example.com: approved by alice@example.com',
      expect.stringMatching(/^2026-11-24T12:02:00.000Z decision \(approved\) by alice@example.com/),
    ]);
  });

  it('names the guardrail and its state when one stopped an approved action', () => {
    const e = explain(rows, 'p-exp-ctx');
    expect(e.fate).toBe('rejected');
    expect(e.guardrail?.name).toBe('pause');
    expect(e.guardrail?.reason).toBe('pause: fleet paused by bob@example.com at 2026-11-24T12:03:00.000Z');
    expect(e.guardrail?.state).toMatchObject({ paused: true, pausedBy: 'bob@example.com' });
    expect(e.text).toMatch(/Guardrail pause: pause: fleet paused by bob@example.com/);
  });

  it('explains an expiry and refuses a proposal it has no rows for', () => {
    expect(explain(rows, 'p-exp-old')).toMatchObject({ fate: 'expired', rule: 'expiry' });
    expect(() => explain(rows, 'p-exp-none')).toThrow('explain: no audit rows for proposal p-exp-none');
  });
});
