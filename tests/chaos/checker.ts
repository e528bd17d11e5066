/**
 * The independent chaos checker: `tsx tests/chaos/checker.ts --dir <logs>` reads the
 * publisher's, receiver's and lease watcher's logs, prints the counts it checked and every
 * violation, and exits 1 when there is any.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLogs } from './check-logs.js';
import { parseJsonl, type LeaseRecord, type PublishedRecord, type ReceiverRecord } from './records.js';
import { required, toolArgs } from './jsonl-writer.js';

const dir = required(toolArgs(process.argv.slice(2)), 'dir');
const read = <T>(file: string): T[] => parseJsonl<T>(readFileSync(join(dir, file), 'utf8'), file);
const report = checkLogs({
  published: read<PublishedRecord>('publisher.jsonl'),
  receiver: read<ReceiverRecord>('receiver.jsonl'),
  leases: read<LeaseRecord>('leases.jsonl'),
});
const c = report.counts;
process.stdout.write(
  `checked: ${c.published} acknowledged messages, ${c.applied} applied effects over ${c.workloads} workloads, ` +
    `${c.fences} fences, ${c.staleRejected} stale effects rejected, ${c.duplicatesDropped} duplicates dropped, ` +
    `${c.leaseRevisions} lease revisions with ${c.acquisitions} acquisitions\n`
);
const byKind = new Map<string, number>();
for (const v of report.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
for (const v of report.violations.slice(0, 50)) process.stdout.write(`VIOLATION ${v.kind}: ${v.detail}\n`);
process.stdout.write(
  report.violations.length
    ? `FAILED: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}\n`
    : 'OK: no message lost, no effect applied twice, no stale epoch accepted, never two live holders\n'
);
process.exitCode = report.violations.length ? 1 : 0;
