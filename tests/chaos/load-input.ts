import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckInput } from './check-logs.js';
import { parseJsonl, type StoredTelemetry } from './records.js';

/** The node the chaos publisher stamps on its telemetry; ClickHouse rows of other nodes are not its. */
export const PUBLISHER_NODE = 'node-1';

export interface StoreRef {
  /** ClickHouse HTTP URL and database the ingest processes write. */
  url: string;
  db: string;
}

/** Rows per message id of the publisher's telemetry in ClickHouse's raw `tel_gpu` (no FINAL). */
export async function readStored(ch: StoreRef): Promise<StoredTelemetry> {
  const u = new URL(ch.url);
  u.searchParams.set('database', ch.db);
  const sql = `SELECT id, count() AS n FROM tel_gpu WHERE node = '${PUBLISHER_NODE}' GROUP BY id FORMAT JSONEachRow`;
  const res = await fetch(u, { method: 'POST', body: sql, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const byId = new Map<string, number>();
  let rows = 0;
  for (const line of (await res.text()).split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; n: string | number };
    byId.set(r.id, Number(r.n));
    rows += Number(r.n);
  }
  return { rows, byId };
}

/** Every log the chaos tools and the driver wrote in `dir` (a missing one reads as empty). */
export async function loadInput(dir: string, ch?: StoreRef): Promise<CheckInput> {
  const read = <T>(file: string): T[] =>
    existsSync(join(dir, file)) ? parseJsonl<T>(readFileSync(join(dir, file), 'utf8'), file) : [];
  return {
    published: read('publisher.jsonl'),
    receiver: read('receiver.jsonl'),
    leases: read('leases.jsonl'),
    actions: read('actions.jsonl'),
    proposals: read('proposals.jsonl'),
    events: read('events.jsonl'),
    ...(ch ? { stored: await readStored(ch) } : {}),
  };
}
