import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPostgres, type TestDatabase } from '../../testkit/index.js';
import { migratePostgres, openPostgres, type Postgres } from '../../stores/index.js';
import { PostgresSnapshotStore } from '../index.js';
import { describeSnapshotStore } from '../runtime/snapshot-store.conformance.js';

let database: TestDatabase;
let pg: Postgres;
let store: PostgresSnapshotStore;

beforeAll(async () => {
  database = await (await sharedPostgres()).createDatabase('snap');
  pg = openPostgres({ url: database.url });
  await migratePostgres(pg);
  store = new PostgresSnapshotStore(pg);
});

afterAll(async () => {
  await pg?.close();
  await database?.drop();
});

describeSnapshotStore('postgres', () => store);

describe('actors postgres snapshot store', () => {
  it('keeps actor_snapshots indexed by partition, for a host taking a partition over', async () => {
    const { rows } = await pg.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'actor_snapshots' ORDER BY indexname"
    );
    expect(rows.map((r) => r.indexdef)).toEqual([
      expect.stringContaining('(partition)'),
      expect.stringContaining('(kind, key)'),
    ]);
  });

  it('stamps updated_at from the database on every write', async () => {
    const stamp = async (): Promise<string> =>
      (await pg.query<{ t: string }>("SELECT updated_at::text AS t FROM actor_snapshots WHERE kind = 'stamp'")).rows[0]!
        .t;
    const save = (lastSeq: number): Promise<unknown> =>
      store.saveMany([{ kind: 'stamp', key: 'a', partition: 0, epoch: 1, v: 1, state: {}, lastSeq }]);
    await save(1);
    const first = await stamp();
    await save(2);
    expect(await stamp()).not.toBe(first);
  });
});
