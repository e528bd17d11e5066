import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPostgres, type TestDatabase } from '../../../testkit/index.js';
import { migratePostgres, openPostgres, type Postgres } from '../../../stores/index.js';
import { PgvectorOutcomeMemory } from '../index.js';
import { describeOutcomeMemory } from '../memory.conformance.js';

let database: TestDatabase;
let pg: Postgres;
let memory: PgvectorOutcomeMemory;

beforeAll(async () => {
  database = await (await sharedPostgres()).createDatabase('outcome_memory');
  pg = openPostgres({ url: database.url });
  await migratePostgres(pg);
  memory = new PgvectorOutcomeMemory(pg);
});

afterAll(async () => {
  await pg?.close();
  await database?.drop();
});

describeOutcomeMemory('pgvector', () => memory);

describe('actors pgvector outcome memory', () => {
  it('stores the vector in a 16-dimension pgvector column with an HNSW L2 index', async () => {
    const { rows } = await pg.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'outcome_memory' AND indexdef LIKE '%hnsw%'"
    );
    expect(rows.map((r) => r.indexdef)).toEqual([expect.stringMatching(/USING hnsw \(embedding vector_l2_ops\)/)]);
    const { rows: cols } = await pg.query<{ t: string }>(
      "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'outcome_memory'::regclass AND attname = 'embedding'"
    );
    expect(cols[0]?.t).toBe('vector(16)');
  });
});
