import {
  EDGE_SETTING_NAMES,
  edgeSettingsFromEnv,
  parseEdgeSettings,
  runEdge,
  runEdgeWith,
  type EdgeSettingKey,
  type FitCatalog,
} from '../gpu-edge/index.js';
import { createLogger, ENV_VARS, loadConfig, type Logger, type ProcessConfig } from '../config/index.js';
import { findModel, getGpu, isSimConfigError, resolveEngineConfig } from '../sim/index.js';
import { UsageError, type Args } from './args.js';

export const EDGE_USAGE = `optiinfra edge --node <id> --workload <id> --engine vllm|sim [options] [-- <engine flags>]
  Runs the gpu-edge of one GPU node in the foreground: starts the engine, publishes its telemetry,
  and serves engine actions on oi.v1.act.<node>.> (reconfigure with verify and rollback, restart,
  drain, status). Options (or their OI_EDGE_* variables): --model, --gpu (catalog id, for the fit
  check), --port (engine), --engine-command "vllm serve", --state-dir, --telemetry-ms, --verify-ms,
  --health-timeout-ms, --nvidia-smi <path|off>, --sim-speed. Engine flags after -- use vLLM's names,
  e.g. -- --max-model-len 8192 --gpu-memory-utilization 0.9.`;

/** The model and GPU catalog the edge fit-checks engine configs against (sim/catalog). */
export const EDGE_CATALOG: FitCatalog = { findModel, getGpu, isSimConfigError, resolveEngineConfig };

/** `optiinfra serve edge`. */
export function runEdgeProcess(config: ProcessConfig, logger: Logger): Promise<{ stop(): Promise<void> }> {
  return runEdge(config, logger, EDGE_CATALOG);
}

const FLAG_KEYS = new Map<string, EdgeSettingKey>(
  Object.entries(EDGE_SETTING_NAMES)
    .filter(([key]) => key !== 'engineArgs')
    .map(([key, [flagName]]) => [flagName.slice(2), key as EdgeSettingKey])
);

export async function runEdgeCommand(args: Args): Promise<number> {
  const raw = edgeSettingsFromEnv(process.env, ENV_VARS);
  for (const [name, value] of args.flags) {
    const key = FLAG_KEYS.get(name);
    if (!key) throw new UsageError(`unknown option --${name}`);
    if (value === true) throw new UsageError(`--${name} needs a value`);
    raw[key] = value;
  }
  if (args.positionals.length) raw.engineArgs = args.positionals.join(' ');
  if (!args.flags.has('workload') && !process.env.OI_EDGE_WORKLOAD) throw new UsageError('--workload is required');
  let settings;
  try {
    settings = parseEdgeSettings(raw);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const config = loadConfig();
  const logger = createLogger('edge', { level: config.logLevel });
  const edge = await runEdgeWith(config, settings, logger, EDGE_CATALOG);
  console.log(
    `edge ${settings.node}: ${settings.engine} engine on port ${settings.enginePort}, serving oi.v1.act.${settings.node}.>`
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  await edge.stop();
  return 0;
}
