import type { PoolClient, Postgres, QueryResult, QueryResultRow } from '../../stores/index.js';
import type { WorkloadRecord, WorkloadSpec } from '../../schemas/index.js';

interface WorkloadRow {
  workload: string;
  spec: WorkloadSpec;
  revision: number;
  registered_at: Date;
  updated_at: Date;
  last_command: string;
}

export function rowToRecord(row: WorkloadRow): WorkloadRecord {
  return {
    ...row.spec,
    workload: row.workload,
    revision: row.revision,
    registered_at: row.registered_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_command: row.last_command,
  };
}

/** A pool or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

const COLUMNS = 'workload, spec, revision, registered_at, updated_at, last_command';

export async function findWorkload(
  q: Queryable,
  workload: string,
  forUpdate = false
): Promise<WorkloadRecord | undefined> {
  const { rows } = await q.query<WorkloadRow>(
    `SELECT ${COLUMNS} FROM workloads WHERE workload = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [workload]
  );
  return rows[0] ? rowToRecord(rows[0]) : undefined;
}

export async function insertWorkload(
  tx: PoolClient,
  spec: WorkloadSpec,
  commandId: string,
  at: string
): Promise<WorkloadRecord> {
  const { rows } = await tx.query<WorkloadRow>(
    `INSERT INTO workloads (workload, spec, mode, owner, revision, registered_at, updated_at, last_command)
     VALUES ($1, $2, $3, $4, 1, $5, $5, $6) RETURNING ${COLUMNS}`,
    [spec.workload, JSON.stringify(spec), spec.mode, spec.owner ?? null, at, commandId]
  );
  return rowToRecord(rows[0]!);
}

export async function updateWorkload(
  tx: PoolClient,
  spec: WorkloadSpec,
  commandId: string,
  at: string
): Promise<WorkloadRecord> {
  const { rows } = await tx.query<WorkloadRow>(
    `UPDATE workloads SET spec = $2, mode = $3, owner = $4, revision = revision + 1, updated_at = $5, last_command = $6
     WHERE workload = $1 RETURNING ${COLUMNS}`,
    [spec.workload, JSON.stringify(spec), spec.mode, spec.owner ?? null, at, commandId]
  );
  return rowToRecord(rows[0]!);
}

export async function listWorkloads(
  db: Postgres,
  opts: { mode?: string; after?: string; limit: number }
): Promise<{ items: WorkloadRecord[]; next?: string }> {
  const { rows } = await db.query<WorkloadRow>(
    `SELECT ${COLUMNS} FROM workloads
     WHERE ($1::text IS NULL OR mode = $1) AND ($2::text IS NULL OR workload > $2)
     ORDER BY workload LIMIT $3`,
    [opts.mode ?? null, opts.after ?? null, opts.limit + 1]
  );
  const items = rows.slice(0, opts.limit).map(rowToRecord);
  return rows.length > opts.limit ? { items, next: items[items.length - 1]!.workload } : { items };
}
