/**
 * The independent chaos checker: `tsx tests/chaos/checker.ts --dir <logs> [--clickhouse <url>
 * --db <name>]` reads the logs of the publisher, receiver, lease and event watchers and the
 * driver's actions and proposals, and ClickHouse's raw telemetry; prints the counts it checked
 * and every violation, and exits 1 when there is any.
 */
import { checkLogs } from './check-logs.js';
import { loadInput } from './load-input.js';
import { required, toolArgs } from './jsonl-writer.js';

const args = toolArgs(process.argv.slice(2));
const dir = required(args, 'dir');
const chUrl = args.get('clickhouse');
const report = checkLogs(await loadInput(dir, chUrl ? { url: chUrl, db: required(args, 'db') } : undefined));
const c = report.counts;
process.stdout.write(
  `checked: ${c.published} acknowledged messages, ${c.applied} applied effects over ${c.workloads} workloads, ` +
    `${c.fences} fences, ${c.staleRejected} stale effects rejected, ${c.duplicatesDropped} duplicates dropped, ` +
    `${c.leaseRevisions} lease revisions with ${c.acquisitions} acquisitions, ` +
    `${c.actions} actions with ${c.actionResults} results, ${c.proposals} proposals with ${c.outcomes} outcomes, ` +
    `${c.storedRows} telemetry rows in ClickHouse\n`
);
const byKind = new Map<string, number>();
for (const v of report.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
for (const v of report.violations.slice(0, 50)) process.stdout.write(`VIOLATION ${v.kind}: ${v.detail}\n`);
process.stdout.write(
  report.violations.length
    ? `FAILED: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}\n`
    : 'OK: no message lost, no effect applied twice, no stale epoch accepted, never two live holders, ' +
        'no action lost, run twice or run under a stale epoch, every proposal resolved, ClickHouse holds each message once\n'
);
process.exitCode = report.violations.length ? 1 : 0;
