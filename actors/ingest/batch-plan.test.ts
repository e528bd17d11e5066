import { describe, expect, it } from 'vitest';
import { planBatch, type PlannedMessage } from './batch-plan.js';

const row = (table: 'tel_gpu' | 'tel_cost', seq: number): PlannedMessage => ({
  seq,
  placement: { table, row: { seq } },
});

describe('ingest planBatch', () => {
  it('splits by table in seq order and names each block by its range', () => {
    const plan = planBatch('c', [row('tel_gpu', 12), row('tel_cost', 11), row('tel_gpu', 10)], new Map());
    expect(plan.inserts.map((i) => [i.table, i.rows.map((r) => r.seq), i.token])).toEqual([
      ['tel_cost', [11], 'c:tel_cost:11-11:1'],
      ['tel_gpu', [10, 12], 'c:tel_gpu:10-12:2'],
    ]);
    expect(plan).toMatchObject({ duplicates: 0, skipped: 0 });
  });

  it('drops what each table already holds, by that table’s own watermark', () => {
    // tel_gpu got the last block before a crash, tel_cost did not
    const plan = planBatch('c', [row('tel_gpu', 5), row('tel_cost', 6), row('tel_gpu', 7)], new Map([['tel_gpu', 7]]));
    expect(plan.inserts.map((i) => [i.table, i.firstSeq, i.lastSeq])).toEqual([['tel_cost', 6, 6]]);
    expect(plan.duplicates).toBe(2);
  });

  it('keeps one copy of a message delivered twice in one batch', () => {
    const plan = planBatch('c', [row('tel_gpu', 3), row('tel_gpu', 4), row('tel_gpu', 3)], new Map());
    expect(plan.inserts[0]!.rows).toEqual([{ seq: 3 }, { seq: 4 }]);
    expect(plan.duplicates).toBe(1);
  });

  it('gives the same messages the same token, whatever order they arrived in', () => {
    const a = planBatch('c', [row('tel_gpu', 1), row('tel_gpu', 2)], new Map());
    const b = planBatch('c', [row('tel_gpu', 2), row('tel_gpu', 1)], new Map());
    expect(a.inserts[0]!.token).toBe(b.inserts[0]!.token);
    expect(planBatch('d', [row('tel_gpu', 1), row('tel_gpu', 2)], new Map()).inserts[0]!.token).not.toBe(
      a.inserts[0]!.token
    );
  });

  it('counts messages without a table as skipped', () => {
    const plan = planBatch('c', [{ seq: 1, placement: { skip: 'fence' } }, row('tel_gpu', 2)], new Map());
    expect(plan.skipped).toBe(1);
    expect(plan.inserts).toHaveLength(1);
  });
});
