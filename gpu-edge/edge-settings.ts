import { hostname } from 'node:os';
import { z } from 'zod';
import { TOKEN_PATTERN } from '../schemas/index.js';

/** How the edge is set up: CLI flags (`optiinfra edge`) override the OI_* variables (`serve edge`). */
export interface EdgeSettings {
  node: string;
  workload: string;
  engine: 'vllm' | 'sim';
  model: string;
  gpu: string;
  enginePort: number;
  /** The engine command before the model and flags (vllm only), e.g. `vllm serve`. */
  engineCommand: string[];
  /** Initial engine flags (`--max-model-len 8192 …`), used until a change commits. */
  engineArgs: string[];
  stateDir: string;
  telemetryIntervalMs: number;
  verifyWindowMs: number;
  healthTimeoutMs: number;
  /** nvidia-smi path; undefined turns GPU telemetry off. */
  nvidiaSmi: string | undefined;
  simSpeed: number;
}

/** Setting → its CLI flag and environment variable (both named in errors). */
export const EDGE_SETTING_NAMES = {
  node: ['--node', 'OI_EDGE_NODE'],
  workload: ['--workload', 'OI_EDGE_WORKLOAD'],
  engine: ['--engine', 'OI_EDGE_ENGINE'],
  model: ['--model', 'OI_EDGE_MODEL'],
  gpu: ['--gpu', 'OI_EDGE_GPU'],
  enginePort: ['--port', 'OI_EDGE_ENGINE_PORT'],
  engineCommand: ['--engine-command', 'OI_EDGE_ENGINE_COMMAND'],
  engineArgs: ['-- <engine flags>', 'OI_EDGE_ENGINE_ARGS'],
  stateDir: ['--state-dir', 'OI_EDGE_STATE_DIR'],
  telemetryIntervalMs: ['--telemetry-ms', 'OI_EDGE_TELEMETRY_MS'],
  verifyWindowMs: ['--verify-ms', 'OI_EDGE_VERIFY_MS'],
  healthTimeoutMs: ['--health-timeout-ms', 'OI_EDGE_HEALTH_TIMEOUT_MS'],
  nvidiaSmi: ['--nvidia-smi', 'OI_NVIDIA_SMI'],
  simSpeed: ['--sim-speed', 'OI_EDGE_SIM_SPEED'],
} as const satisfies Record<keyof EdgeSettings, readonly [string, string]>;
export type EdgeSettingKey = keyof typeof EDGE_SETTING_NAMES;

const token = z.string().regex(TOKEN_PATTERN, 'letters, digits, _ and -, 1-64 chars');
const ms = z.coerce.number().int('must be an integer').positive('must be > 0');
const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

const schema = z.object({
  node: token,
  workload: token,
  engine: z.enum(['vllm', 'sim']),
  model: z.string().min(1, 'required'),
  gpu: z.string().min(1, 'required'),
  enginePort: z.coerce.number().int('must be an integer').min(1, 'must be ≥ 1').max(65535, 'must be ≤ 65535'),
  engineCommand: z.string().transform(words).pipe(z.array(z.string()).min(1, 'must name an executable')),
  engineArgs: z.string().transform(words),
  stateDir: z.string().min(1, 'required'),
  telemetryIntervalMs: ms,
  verifyWindowMs: ms,
  healthTimeoutMs: ms,
  nvidiaSmi: z.string(),
  simSpeed: z.coerce.number().positive('must be > 0'),
});

/** Node id from the host name, as a subject token. */
export function defaultNodeId(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'node'
  );
}

/**
 * Validates raw settings (strings, as flags and variables give them); an error names the flag,
 * the variable and the rule. `nvidiaSmi` empty means nvidia-smi for vllm and none for sim; `off` none.
 */
export function parseEdgeSettings(raw: Partial<Record<EdgeSettingKey, string>>): EdgeSettings {
  const r = schema.safeParse({ ...raw, node: raw.node || defaultNodeId() });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = String(issue.path[0]) as EdgeSettingKey;
    const [flagName, env] = EDGE_SETTING_NAMES[key] ?? [key, key];
    throw new Error(`${flagName} (${env}): ${issue.message}`);
  }
  const s = r.data;
  const smi = s.nvidiaSmi.trim();
  const nvidiaSmi = smi === 'off' ? undefined : smi || (s.engine === 'vllm' ? 'nvidia-smi' : undefined);
  return { ...s, nvidiaSmi };
}

/** Raw settings from the environment (defaults come from config/env.ts's table). */
export function edgeSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  defaults: Record<string, { default: string }>
): Partial<Record<EdgeSettingKey, string>> {
  const out: Partial<Record<EdgeSettingKey, string>> = {};
  for (const [key, [, name]] of Object.entries(EDGE_SETTING_NAMES)) {
    out[key as EdgeSettingKey] = env[name] ?? defaults[name]?.default ?? '';
  }
  return out;
}

/** `--flag value` / `--switch` / `--no-switch` engine arguments → flag changes for the engine config. */
export function parseEngineFlags(argv: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`engine flags: expected --flag, got '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const next = argv[i + 1];
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined && next !== undefined && !next.startsWith('--')) value = argv[++i];
    if (value === undefined) {
      if (name.startsWith('no-')) out[name.slice(3)] = false;
      else out[name] = true;
      continue;
    }
    const n = Number(value);
    out[name] = value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  return out;
}
