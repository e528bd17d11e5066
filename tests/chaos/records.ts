/**
 * The lines the chaos tools write (one JSON object per line). The checker reads only these
 * files, never the processes under test, so it judges them from the outside.
 */

/** publisher.jsonl: one line per publish the stream acknowledged. */
export interface PublishedRecord {
  id: string;
  w: string;
}

/** receiver.jsonl: what the fenced receiver did with each OI_REC message, in stream order. */
export type ReceiverRecord =
  | { k: 'fence'; seq: number; p: number; e: number; holder: string }
  | { k: 'apply'; seq: number; id: string; p: number; e: number; src: string; msg: string; w: string; count: number }
  | { k: 'stale'; seq: number; id: string; p: number; e: number; reason: string }
  | { k: 'dup'; seq: number; id: string };

/**
 * leases.jsonl: every revision of `oi_leases` the watcher saw (put or delete), after a `start`
 * line naming the last revision before it began: only revisions after that must be contiguous.
 */
export interface LeaseRecord {
  rev: number;
  key: string;
  op: 'put' | 'del' | 'start';
  holder?: string;
  epoch?: number;
  deadline?: number;
  acquiredAt?: number;
}

export function parseJsonl<T>(text: string, file: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a tool killed mid-write leaves at most a torn last line
      if (i < lines.length - 2) throw new Error(`${file}:${i + 1}: not JSON: ${line.slice(0, 80)}`);
    }
  });
  return out;
}
