/**
 * Benchmarks, each printed beside a baseline measured in the same run (never timed unit tests).
 * `npm run bench [name…] [--flag value…]`; every bench starts its own servers. See README.md.
 */
import { parseArgs, type BenchArgs } from './args.js';
import { benchActors } from './actors-bench.js';
import { benchDecode, benchPublish } from './codec-benches.js';
import { benchDecisions } from './decisions-bench.js';
import { benchFailover } from './failover-bench.js';
import { benchIngest } from './ingest-bench.js';
import { machineInfo } from './machine.js';
import { printTable, progress } from './report.js';
import { benchScaling } from './scaling-bench.js';
import { benchSim } from './sim-bench.js';

const BENCHES: Record<string, (args: BenchArgs) => Promise<void>> = {
  publish: benchPublish,
  decode: benchDecode,
  failover: benchFailover,
  actors: benchActors,
  scaling: benchScaling,
  decisions: benchDecisions,
  sim: benchSim,
  ingest: benchIngest,
};

const args = parseArgs(process.argv.slice(2));
const unknown = args.names.filter((n) => !(n in BENCHES));
if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
const m = machineInfo();
progress(`${new Date().toISOString()} · nproc ${m.nproc} · node ${m.node} · ${m.cpu}`);
for (const [name, fn] of Object.entries(BENCHES)) {
  if (args.names.length > 0 && !args.names.includes(name)) continue;
  const t0 = performance.now();
  await fn(args);
  progress(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
printTable();
