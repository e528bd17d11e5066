import { describe, expect, it } from 'vitest';
import { checkLogs, type CheckInput, type ViolationKind } from './check-logs.js';

/**
 * A clean history over every process kind: three telemetry messages applied by h1 then h2 and
 * stored once each in ClickHouse; four actions to the edge (epoch 1, a stale one refused, a
 * repeated decision answered as a duplicate, epoch 2); two proposals, each with an outcome.
 */
function clean(): CheckInput {
  return {
    published: [
      { id: 'm1', w: 'wl-a', t: 100 },
      { id: 'm2', w: 'wl-a', t: 200 },
      { id: 'm3', w: 'wl-a', t: 300 },
    ],
    leases: [
      { rev: 10, key: '', op: 'start' },
      { rev: 11, key: 'part.0', op: 'put', holder: 'h1', epoch: 1, deadline: 2_000, acquiredAt: 1_000 },
      { rev: 12, key: 'part.0', op: 'put', holder: 'h2', epoch: 2, deadline: 4_000, acquiredAt: 2_600 },
    ],
    receiver: [
      { k: 'fence', seq: 1, p: 0, e: 1, holder: 'h1' },
      { k: 'apply', seq: 2, id: 'm1.probe.0', p: 0, e: 1, src: 'h1', msg: 'm1', w: 'wl-a', count: 1 },
      { k: 'apply', seq: 3, id: 'm2.probe.0', p: 0, e: 1, src: 'h1', msg: 'm2', w: 'wl-a', count: 2 },
      { k: 'fence', seq: 4, p: 0, e: 2, holder: 'h2' },
      { k: 'apply', seq: 5, id: 'm3.probe.0', p: 0, e: 2, src: 'h2', msg: 'm3', w: 'wl-a', count: 3 },
    ],
    actions: [
      { action: 'a1', decision: 'd1', epoch: 1, seq: 1, t: 100 },
      { action: 'a2', decision: 'd2', epoch: 2, seq: 2, t: 200 },
      { action: 'a3', decision: 'd3', epoch: 1, seq: 3, t: 300, stale: true },
      { action: 'a4', decision: 'd2', epoch: 2, seq: 4, t: 400, repeat: true },
    ],
    events: [
      { k: 'result', seq: 1, action: 'a1', decision: 'd1', status: 'succeeded', detail: '{}' },
      { k: 'result', seq: 2, action: 'a2', decision: 'd2', status: 'succeeded', detail: '{}' },
      { k: 'result', seq: 3, action: 'a3', decision: 'd3', status: 'failed', detail: 'refused: stale epoch 1 < 2' },
      { k: 'duplicate', seq: 4, action: 'a4', decision: 'd2' },
      { k: 'outcome', seq: 5, proposal: 'p1', fate: 'decided' },
      { k: 'outcome', seq: 6, proposal: 'p2', fate: 'expired' },
    ],
    proposals: [
      { id: 'p1', w: 'wl-p', t: 100 },
      { id: 'p2', w: 'wl-p', t: 200 },
    ],
    stored: {
      rows: 3,
      byId: new Map([
        ['m1', 1],
        ['m2', 1],
        ['m3', 1],
      ]),
    },
  };
}

/** One planted violation per kind; the Record makes a new kind fail to compile until it has one. */
const PLANTS: Record<ViolationKind, (h: CheckInput) => void> = {
  lost: (h) => h.published.push({ id: 'm9', w: 'wl-a', t: 400 }),
  'double-apply': (h) =>
    h.receiver.push({ k: 'apply', seq: 6, id: 'm3.probe.0', p: 0, e: 2, src: 'h2', msg: 'm3', w: 'wl-b', count: 1 }),
  'stale-accepted': (h) =>
    h.receiver.push({ k: 'apply', seq: 6, id: 'm4.probe.0', p: 0, e: 1, src: 'h1', msg: 'm3', w: 'wl-b', count: 1 }),
  'unleased-epoch': (h) =>
    h.receiver.push({ k: 'apply', seq: 6, id: 'm5.probe.0', p: 0, e: 2, src: 'h1', msg: 'm3', w: 'wl-b', count: 1 }),
  'two-holders': (h) =>
    h.leases.push({ rev: 13, key: 'part.0', op: 'put', holder: 'h3', epoch: 3, deadline: 6_000, acquiredAt: 3_000 }),
  state: (h) =>
    h.receiver.push({ k: 'apply', seq: 6, id: 'm6.probe.0', p: 0, e: 2, src: 'h2', msg: 'm3', w: 'wl-a', count: 3 }),
  'lease-gap': (h) => h.leases.push({ rev: 15, key: 'other', op: 'put' }),
  'action-lost': (h) => h.actions!.push({ action: 'a5', decision: 'd5', epoch: 2, seq: 5, t: 500 }),
  'action-twice': (h) =>
    h.events!.push({ k: 'result', seq: 7, action: 'a4', decision: 'd2', status: 'succeeded', detail: '{}' }),
  'action-stale': (h) => {
    const e = h.events!.find((x) => x.k === 'result' && x.action === 'a3')!;
    Object.assign(e, { status: 'succeeded', detail: '{}' });
  },
  'telemetry-missing': (h) => h.stored!.byId.delete('m2'),
  'telemetry-duplicate': (h) => h.stored!.byId.set('m1', 2),
  'proposal-unresolved': (h) => h.proposals!.push({ id: 'p3', w: 'wl-p', t: 300 }),
};

describe('chaos checker over every process kind', () => {
  it('passes the clean history and counts actions, proposals and stored rows', () => {
    const r = checkLogs(clean());
    expect(r.violations).toEqual([]);
    expect(r.counts).toMatchObject({ actions: 4, actionResults: 3, proposals: 2, outcomes: 2, storedRows: 3 });
  });

  for (const [kind, plant] of Object.entries(PLANTS)) {
    it(`catches a planted ${kind}`, () => {
      const h = clean();
      plant(h);
      expect(checkLogs(h).violations.map((v) => v.kind)).toContain(kind);
    });
  }

  it('after one fault, waits only for what was acknowledged before it, but judges safety on all', () => {
    const h = clean();
    h.published.push({ id: 'm9', w: 'wl-a', t: 1_000 });
    h.actions!.push({ action: 'a5', decision: 'd5', epoch: 2, seq: 5, t: 1_000 });
    h.proposals!.push({ id: 'p3', w: 'wl-p', t: 1_000 });
    h.events!.push({ k: 'result', seq: 7, action: 'a4', decision: 'd2', status: 'succeeded', detail: '{}' });
    expect(checkLogs({ ...h, before: 900 }).violations.map((v) => v.kind)).toEqual(['action-twice']);
    expect(checkLogs(h).violations.map((v) => v.kind)).toEqual(
      expect.arrayContaining(['lost', 'action-lost', 'proposal-unresolved', 'telemetry-missing', 'action-twice'])
    );
  });

  it('compares the raw row count with the published count', () => {
    const h = clean();
    h.stored!.rows = 4; // a row of an id it does not list, e.g. another node's, counted in
    const r = checkLogs(h);
    expect(r.violations).toEqual([{ kind: 'telemetry-missing', detail: 'ClickHouse count() 4, published 3' }]);
  });
});
