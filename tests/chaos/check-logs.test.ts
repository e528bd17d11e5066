import { describe, expect, it } from 'vitest';
import { checkLogs } from './check-logs.js';
import type { LeaseRecord, PublishedRecord, ReceiverRecord } from './records.js';

/** A clean history: h1 owns partition 0 at epoch 1, then h2 takes it over at epoch 2 after the deadline. */
function clean(): { published: PublishedRecord[]; receiver: ReceiverRecord[]; leases: LeaseRecord[] } {
  return {
    published: [
      { id: 'm1', w: 'wl-a' },
      { id: 'm2', w: 'wl-a' },
      { id: 'm3', w: 'wl-a' },
    ],
    leases: [
      { rev: 10, key: '', op: 'start' },
      { rev: 11, key: 'part.0', op: 'put', holder: 'h1', epoch: 1, deadline: 2_000, acquiredAt: 1_000 },
      { rev: 12, key: 'part.0', op: 'put', holder: 'h1', epoch: 1, deadline: 2_500, acquiredAt: 1_000 },
      { rev: 13, key: 'part.0', op: 'put', holder: 'h2', epoch: 2, deadline: 4_000, acquiredAt: 2_600 },
    ],
    receiver: [
      { k: 'fence', seq: 1, p: 0, e: 1, holder: 'h1' },
      { k: 'apply', seq: 2, id: 'm1.probe.0', p: 0, e: 1, src: 'h1', msg: 'm1', w: 'wl-a', count: 1 },
      { k: 'apply', seq: 3, id: 'm2.probe.0', p: 0, e: 1, src: 'h1', msg: 'm2', w: 'wl-a', count: 2 },
      { k: 'fence', seq: 4, p: 0, e: 2, holder: 'h2' },
      { k: 'stale', seq: 5, id: 'm3.probe.0', p: 0, e: 1, reason: 'stale epoch 1' },
      { k: 'dup', seq: 6, id: 'm2.probe.0' },
      { k: 'apply', seq: 7, id: 'm3.probe.0', p: 0, e: 2, src: 'h2', msg: 'm3', w: 'wl-a', count: 3 },
    ],
  };
}

const kinds = (r: ReturnType<typeof checkLogs>): string[] => r.violations.map((v) => v.kind);

describe('chaos checker', () => {
  it('passes a clean history and counts what it checked', () => {
    const r = checkLogs(clean());
    expect(r.violations).toEqual([]);
    expect(r.counts).toEqual({
      published: 3,
      applied: 3,
      fences: 2,
      staleRejected: 1,
      duplicatesDropped: 1,
      leaseRevisions: 3,
      acquisitions: 2,
      workloads: 1,
    });
  });

  it('catches a planted duplicate apply', () => {
    const h = clean();
    h.receiver.push({ k: 'apply', seq: 8, id: 'm3.probe.0', p: 0, e: 2, src: 'h2', msg: 'm3', w: 'wl-a', count: 4 });
    expect(kinds(checkLogs(h))).toContain('double-apply');
  });

  it('catches a planted stale epoch accepted', () => {
    const h = clean();
    h.receiver.push({ k: 'apply', seq: 8, id: 'm4.probe.0', p: 0, e: 1, src: 'h1', msg: 'm4', w: 'wl-b', count: 1 });
    const r = checkLogs(h);
    expect(kinds(r)).toEqual(['stale-accepted']);
    expect(r.violations[0]!.detail).toMatch(/epoch 1 of partition 0, mark 2/);
  });

  it('catches a planted dropped message', () => {
    const h = clean();
    h.published.push({ id: 'm9', w: 'wl-a' });
    expect(checkLogs(h).violations).toEqual([{ kind: 'lost', detail: 'message m9 (wl-a) acked but never applied' }]);
  });

  it('catches two live holders and an epoch handed over without a takeover', () => {
    const h = clean();
    h.leases[3] = { ...h.leases[3]!, acquiredAt: 2_400 };
    expect(kinds(checkLogs(h))).toEqual(['two-holders']);
    const g = clean();
    g.leases.push({ rev: 14, key: 'part.0', op: 'put', holder: 'h3', epoch: 2, deadline: 5_000, acquiredAt: 2_600 });
    expect(kinds(checkLogs(g))).toEqual(expect.arrayContaining(['two-holders']));
  });

  it('catches an effect under an epoch its source never leased, and a state that went back', () => {
    const h = clean();
    const forged = {
      k: 'apply' as const,
      seq: 8,
      id: 'm5.probe.0',
      p: 0,
      e: 2,
      src: 'h1',
      msg: 'm5',
      w: 'wl-a',
      count: 3,
    };
    h.receiver.push(forged);
    expect(kinds(checkLogs(h))).toEqual(['unleased-epoch', 'state']);
  });

  it('reports missed lease revisions after the watcher started, not before', () => {
    const h = clean();
    h.leases.splice(2, 1);
    expect(kinds(checkLogs(h))).toEqual(['lease-gap']);
    const g = clean();
    g.leases[0] = { rev: 11, key: '', op: 'start' };
    g.leases.splice(1, 1);
    expect(checkLogs(g).violations).toEqual([]);
  });
});
