import { OiError } from '../bus/index.js';
import { SchemaError } from '../schemas/index.js';
import { parseArgs, UsageError } from './args.js';
import { CMD_USAGE, runCmd } from './cmd.js';
import { CREDS_USAGE, runCreds } from './creds.js';
import { DLQ_USAGE, runDlq } from './dlq.js';
import { APPROVE_USAGE, DECISIONS_USAGE, REJECT_USAGE, runApprove, runDecisions, runReject } from './decisions.js';
import { EDGE_USAGE, runEdgeCommand } from './edge.js';
import { MISSION_USAGE, runMissionCommand } from '../mission/index.js';
import { runServe, SERVE_USAGE } from './serve.js';
import { runSim, SIM_USAGE } from './sim.js';
import { runStatus, STATUS_USAGE } from './status.js';
import { runUp, UP_USAGE } from './up.js';
import { runWatch, WATCH_USAGE } from './watch.js';

const COMMANDS: Record<string, { run: (args: ReturnType<typeof parseArgs>) => Promise<number>; usage: string }> = {
  up: { run: runUp, usage: UP_USAGE },
  serve: { run: runServe, usage: SERVE_USAGE },
  status: { run: runStatus, usage: STATUS_USAGE },
  cmd: { run: runCmd, usage: CMD_USAGE },
  watch: { run: runWatch, usage: WATCH_USAGE },
  dlq: { run: runDlq, usage: DLQ_USAGE },
  approve: { run: runApprove, usage: APPROVE_USAGE },
  reject: { run: runReject, usage: REJECT_USAGE },
  decisions: { run: runDecisions, usage: DECISIONS_USAGE },
  sim: { run: runSim, usage: SIM_USAGE },
  edge: { run: runEdgeCommand, usage: EDGE_USAGE },
  creds: { run: runCreds, usage: CREDS_USAGE },
};

const HELP = `optiinfra <command> [args]

${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n\n')}

${MISSION_USAGE}

Environment: OI_NATS_URL, OI_PG_URL, OI_CLICKHOUSE_URL, … (config/env.ts lists them all).`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'bench' && rest[0] === 'mission') return runMissionCommand(rest.slice(1));
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(
      parseArgs(rest, ['history', 'no-setup', 'lockstep', 'no-nats', 'no-sim', 'no-control', 'show-secret', 'no-auth'])
    );
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message.includes('\n') ? err.message : `${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof SchemaError || err instanceof OiError) {
      console.error(err.message);
      return 1;
    }
    console.error(`optiinfra ${name} failed: ${(err as Error).message}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// a failed long-running command may still hold connections open: leave anyway, after stderr drains
if (code !== 0) setTimeout(() => process.exit(code), 200);
