import type { RowPlacement } from './rows.js';
import type { IngestTable } from './ingest-sources.js';

/** One message of a batch, already mapped to its row. */
export interface PlannedMessage {
  /** Stream sequence. */
  seq: number;
  placement: RowPlacement;
}

/** One INSERT: rows of one table, ascending by seq, all above that table's watermark. */
export interface TableInsert {
  table: IngestTable;
  rows: Record<string, unknown>[];
  firstSeq: number;
  lastSeq: number;
  /**
   * `insert_deduplication_token`: the same messages give the same token, so a retry of an
   * insert whose outcome was unknown is a no-op where the first attempt landed.
   */
  token: string;
}

export interface BatchPlan {
  inserts: TableInsert[];
  /** Already in ClickHouse (at or below the watermark) or delivered twice within the batch. */
  duplicates: number;
  /** Messages with no table (runtime traffic such as fences). */
  skipped: number;
}

/**
 * Splits a batch into one insert per table and drops what ClickHouse already holds. A
 * consumer's rows reach each table in ascending stream order (one writer, batches applied in
 * order, never skipping), so everything at or below the table's highest stored `seq` for
 * this consumer is already there.
 */
export function planBatch(
  consumer: string,
  messages: readonly PlannedMessage[],
  watermarks: ReadonlyMap<string, number>
): BatchPlan {
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  const byTable = new Map<IngestTable, { rows: Record<string, unknown>[]; first: number; last: number }>();
  let duplicates = 0;
  let skipped = 0;
  let prev = -1;
  for (const m of sorted) {
    if (m.seq === prev) {
      duplicates++; // redelivered while the first delivery still waited in the batch
      continue;
    }
    prev = m.seq;
    if ('skip' in m.placement) {
      skipped++;
      continue;
    }
    const { table, row, more } = m.placement;
    if (m.seq <= (watermarks.get(table) ?? 0)) {
      duplicates++;
      continue;
    }
    // a message's rows go in one block: the watermark never splits a message
    const rows = more ? [row, ...more] : [row];
    const t = byTable.get(table);
    if (t) {
      t.rows.push(...rows);
      t.last = m.seq;
    } else byTable.set(table, { rows, first: m.seq, last: m.seq });
  }
  const inserts = [...byTable.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, t]) => ({
      table,
      rows: t.rows,
      firstSeq: t.first,
      lastSeq: t.last,
      token: `${consumer}:${table}:${t.first}-${t.last}:${t.rows.length}`,
    }));
  return { inserts, duplicates, skipped };
}
