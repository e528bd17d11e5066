import type { ClickHouse } from '../../stores/index.js';
import type { TableInsert } from './batch-plan.js';
import type { IngestTable } from './ingest-sources.js';

/**
 * Deduplicate retried blocks in the raw table (MergeTree needs `non_replicated_deduplication_window`,
 * set by the migrations) and again in every rollup: if the raw part landed but a view's did
 * not, the identical retry fills the view and leaves the raw table alone.
 */
const DEDUP_SETTINGS = { insert_deduplicate: 1, deduplicate_blocks_in_dependent_materialized_views: 1 } as const;

/** Inserts one planned block; resolves only once ClickHouse has confirmed it. */
export async function insertBlock(ch: ClickHouse, ins: TableInsert): Promise<void> {
  await ch.client.insert({
    table: ins.table,
    values: ins.rows,
    format: 'JSONEachRow',
    clickhouse_settings: { ...DEDUP_SETTINGS, insert_deduplication_token: ins.token },
  });
}

/** Highest stream sequence each table holds from `consumer` (0 when none): a new owner's starting point. */
export async function readWatermarks(
  ch: ClickHouse,
  consumer: string,
  tables: readonly IngestTable[]
): Promise<Map<IngestTable, number>> {
  const sql = tables
    .map((t) => `SELECT '${t}' AS t, max(seq) AS seq FROM ${t} WHERE consumer = {consumer:String}`)
    .join(' UNION ALL ');
  const rows = await ch.query<{ t: IngestTable; seq: string | number }>(sql, { consumer });
  const out = new Map<IngestTable, number>(tables.map((t) => [t, 0]));
  for (const r of rows) out.set(r.t, Number(r.seq));
  return out;
}
