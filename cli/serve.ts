import { createLogger, loadConfig, PROCESSES, type ProcessName } from '../config/index.js';
import { runSupervisor } from '../supervisor/index.js';
import { runAgentHost, runExecutor, runNotify, runIngest } from '../actors/index.js';
import { UsageError, type Args } from './args.js';
import { runEdgeProcess } from './edge.js';

export const SERVE_USAGE = `optiinfra serve <process>
  Runs one OptiInfra process in the foreground (what \`up\` and docker-compose start).
  Processes: ${Object.keys(PROCESSES).join(', ')}. Configuration: OI_* environment variables.`;

const RUNNERS: Record<ProcessName, typeof runSupervisor> = {
  supervisor: runSupervisor,
  host: runAgentHost,
  notify: runNotify,
  ingest: runIngest,
  executor: runExecutor,
  edge: runEdgeProcess,
};

export async function runServe(args: Args): Promise<number> {
  const name = args.positionals[0] as ProcessName | undefined;
  if (!name || !(name in RUNNERS)) throw new UsageError(SERVE_USAGE);
  const config = loadConfig();
  const logger = createLogger(name, { level: config.logLevel });
  const proc = await RUNNERS[name](config, logger);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  await proc.stop();
  return 0;
}
