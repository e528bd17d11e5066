import { type Postgres } from '../../stores/index.js';
import { actorId } from './actor-logic.js';
import {
  assertUniqueWrites,
  type FencedWrite,
  type SaveResult,
  type Snapshot,
  type SnapshotStore,
  type SnapshotWrite,
} from './snapshot-store.js';

// The batch travels as one jsonb array: one statement and one round trip whatever its size,
// no 65,535-parameter ceiling, and `e->'state'` keeps a JSON null state as jsonb null.
// The WHERE turns a lower epoch into a row that is neither written nor returned.
const UPSERT = `INSERT INTO actor_snapshots AS s (kind, key, partition, epoch, v, state, last_seq, updated_at)
SELECT e->>'kind', e->>'key', (e->>'partition')::int, (e->>'epoch')::bigint, (e->>'v')::int, e->'state',
  (e->>'last_seq')::bigint, now()
FROM jsonb_array_elements($1::jsonb) AS e
WHERE (e->>'epoch')::bigint >= COALESCE(
  (SELECT f.epoch FROM partition_fences f WHERE f.partition = (e->>'partition')::int), 0)
ON CONFLICT (kind, key) DO UPDATE SET
  partition = EXCLUDED.partition, epoch = EXCLUDED.epoch, v = EXCLUDED.v, state = EXCLUDED.state,
  last_seq = EXCLUDED.last_seq, updated_at = EXCLUDED.updated_at
WHERE s.epoch <= EXCLUDED.epoch
RETURNING kind, key`;

const STORED_EPOCHS = `SELECT e->>'kind' AS kind, e->>'key' AS key, GREATEST(COALESCE(s.epoch, 0), COALESCE(f.epoch, 0)) AS epoch
FROM jsonb_array_elements($1::jsonb) AS e
LEFT JOIN actor_snapshots s ON s.kind = e->>'kind' AND s.key = e->>'key'
LEFT JOIN partition_fences f ON f.partition = (e->>'partition')::int`;

const FENCE = `INSERT INTO partition_fences AS f (partition, epoch) VALUES ($1, $2)
ON CONFLICT (partition) DO UPDATE SET epoch = GREATEST(f.epoch, EXCLUDED.epoch), updated_at = now()`;

const LOAD = `SELECT v, state, epoch, partition, last_seq, updated_at FROM actor_snapshots WHERE kind = $1 AND key = $2`;

interface Row {
  v: number;
  state: unknown;
  epoch: string;
  partition: number;
  last_seq: string;
  updated_at: Date;
}

/** Snapshots in PostgreSQL's `actor_snapshots` (migration 004), one fenced upsert per batch. */
export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly db: Postgres) {}

  async load(kind: string, key: string): Promise<Snapshot | undefined> {
    const { rows } = await this.db.query<Row>(LOAD, [kind, key]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      v: row.v,
      state: row.state,
      epoch: Number(row.epoch),
      partition: row.partition,
      lastSeq: Number(row.last_seq),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  async fencePartition(partition: number, epoch: number): Promise<void> {
    await this.db.query(FENCE, [partition, epoch]);
  }

  async saveMany(entries: readonly SnapshotWrite[]): Promise<SaveResult> {
    if (entries.length === 0) return { saved: 0, fenced: [] };
    assertUniqueWrites(entries);
    const batch = entries.map((e) => {
      // JSON.stringify would drop the key, and jsonb_to_recordset would then give NULL
      if (e.state === undefined) throw new Error(`state of ${actorId(e.kind, e.key)} is not JSON-serializable`);
      return {
        kind: e.kind,
        key: e.key,
        partition: e.partition,
        epoch: e.epoch,
        v: e.v,
        state: e.state,
        last_seq: e.lastSeq,
      };
    });
    const { rows: written } = await this.db.query<{ kind: string; key: string }>(UPSERT, [JSON.stringify(batch)]);
    if (written.length === entries.length) return { saved: written.length, fenced: [] };

    // the rows not returned were refused by the epoch guard; say which epoch refused them
    const done = new Set(written.map((r) => actorId(r.kind, r.key)));
    const refused = entries.filter((e) => !done.has(actorId(e.kind, e.key)));
    const { rows: stored } = await this.db.query<{ kind: string; key: string; epoch: string }>(STORED_EPOCHS, [
      JSON.stringify(refused.map((e) => ({ kind: e.kind, key: e.key, partition: e.partition }))),
    ]);
    const storedEpoch = new Map(stored.map((r) => [actorId(r.kind, r.key), Number(r.epoch)]));
    const fenced: FencedWrite[] = refused.map((e) => ({
      kind: e.kind,
      key: e.key,
      partition: e.partition,
      storedEpoch: storedEpoch.get(actorId(e.kind, e.key)) ?? e.epoch,
      epoch: e.epoch,
    }));
    return { saved: written.length, fenced };
  }
}
