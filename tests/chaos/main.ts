/**
 * `npm run chaos -- [--seconds 600] [--seed N] [--hosts 2] [--rate 50] [--partitions 8] [--workloads 16] [--ingests 2] [--ttl 4000] [--ch-outage-ms 30000]`:
 * the full chaos run over every process kind; prints the fault table and exits with the
 * checker's code (1 also when a fault found a violation or did not recover).
 */
import { runChaos } from './run-chaos.js';
import { toolArgs } from './jsonl-writer.js';

const args = toolArgs(process.argv.slice(2));
const num = (name: string, dflt: number): number => {
  const v = Number(args.get(name) ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${args.get(name)}`);
  return v;
};
const result = await runChaos({
  seconds: num('seconds', 600),
  seed: num('seed', Date.now() % 1_000_000),
  hosts: num('hosts', 2),
  rate: num('rate', 50),
  partitions: num('partitions', 8),
  workloads: num('workloads', 16),
  ingests: num('ingests', 2),
  leaseTtlMs: num('ttl', 4_000),
  timings: { clickhouseOutageMs: num('ch-outage-ms', 30_000) },
  progress: (line) => process.stdout.write(`${line}\n`),
});
const unrecovered = result.rows.reduce((n, r) => n + r.unrecovered, 0);
const ok = result.checkerExit === 0 && result.faultViolations.length === 0 && unrecovered === 0;
process.stdout.write(`\n${result.table}\n\n${ok ? 'PASS' : 'FAIL'}: logs kept in ${result.dir}\n`);
process.exit(ok ? 0 : 1);
