/**
 * `npm run chaos -- --seconds 60 [--seed N] [--hosts 3] [--rate 100] [--ttl 2000]`: the full chaos
 * run against real processes; exits with the checker's code.
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
  seconds: num('seconds', 60),
  seed: num('seed', Date.now() % 1_000_000),
  hosts: num('hosts', 3),
  rate: num('rate', 100),
  leaseTtlMs: num('ttl', 2_000),
  progress: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`${result.checkerExit === 0 ? 'PASS' : 'FAIL'}: logs kept in ${result.dir}\n`);
process.exit(result.checkerExit ?? 1);
