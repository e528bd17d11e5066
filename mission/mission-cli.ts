import { parseArgs } from 'node:util';
import { writeMissionCharts } from './mission-charts.js';
import { DEFAULT_MISSION_FILE, loadMissionConfig } from './mission-config.js';
import { missionMarkdown, writeMissionReport } from './report.js';
import { MISSION_POLICIES, runMission, type MissionProgress } from './run-mission.js';

export const MISSION_USAGE = `bench mission [--short] [--seed N] [--trace NAME]… [--policy NAME]… [--out DIR] [--config FILE]
  replays the public traces under static-peak, the HPA queue autoscaler, llm-d's saturation
  autoscaler, the oracle bound and OptiInfra (its processes on their own nats-server, PostgreSQL
  and ClickHouse); --policy keeps only the named ones (static-peak is the savings reference);
  writes results.json, report.md, series and charts (.mission/)`;

/** A progress bar on stderr: redrawn in place on a terminal, one line per replay otherwise. */
function progressBar(): (p: MissionProgress) => void {
  const started = performance.now();
  let drawn = '';
  return (p) => {
    const done = p.traceIndex * p.policies + p.policyIndex + Math.min(1, p.tSec / Math.max(1, p.durationSec));
    const share = done / (p.traces * p.policies);
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    const elapsed = ((performance.now() - started) / 1000).toFixed(0);
    const line = `[${bar}] ${(100 * share).toFixed(0).padStart(3)} % ${p.trace} · ${p.policy}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line} · t=${p.tSec.toFixed(0)} s · ${elapsed} s  `);
    else if (`${p.trace}/${p.policy}` !== drawn) process.stderr.write(`${line} · ${elapsed} s\n`);
    drawn = `${p.trace}/${p.policy}`;
  };
}

/** `bench mission` / `tsx mission/main.ts`: argv after the command name; resolves to the exit code. */
export async function runMissionCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean', default: false },
      seed: { type: 'string' },
      config: { type: 'string', default: DEFAULT_MISSION_FILE },
      out: { type: 'string', default: '.mission' },
      trace: { type: 'string', multiple: true },
      policy: { type: 'string', multiple: true },
    },
  });
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) {
    throw new Error(`--seed: expected an integer >= 0, got '${values.seed}'`);
  }
  const wanted = values.policy;
  const unknown = (wanted ?? []).filter((n) => !MISSION_POLICIES.some((p) => p.name === n));
  if (unknown.length) {
    throw new Error(
      `--policy: unknown ${unknown.join(', ')} (known: ${MISSION_POLICIES.map((p) => p.name).join(', ')})`
    );
  }
  const policies = wanted ? MISSION_POLICIES.filter((p) => wanted.includes(p.name)) : MISSION_POLICIES;
  const config = await loadMissionConfig(values.config);
  const result = await runMission(config, {
    short: values.short,
    policies,
    ...(seed !== undefined ? { seed } : {}),
    ...(values.trace ? { traces: values.trace } : {}),
    onProgress: progressBar(),
  });
  process.stderr.write('\n');
  const files = await writeMissionReport(result, values.out);
  const charts = await writeMissionCharts(result, values.out, config.slo.attainment);
  process.stdout.write(
    `${missionMarkdown(result)}\nwritten: ${files.slice(0, 2).join(', ')}, ${files.length - 2} series files, ${charts.length} charts\n`
  );
  return 0;
}
