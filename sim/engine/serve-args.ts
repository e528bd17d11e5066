import type { EngineConfigInput } from './engine-config.js';

/** What `serve.ts` runs: an engine configuration plus the server's own settings. */
export interface ServeOptions {
  engine: EngineConfigInput;
  host: string;
  port: number;
  speed: number;
  loadingSec: number | undefined;
}

export class ServeArgsError extends Error {
  override name = 'ServeArgsError';
}

type Setter = (opts: ServeOptions, value: string, flag: string) => void;

function num(flag: string, value: string, rule: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !rule(n))
    throw new ServeArgsError(`${flag}: must be ${what}, got '${value}'`);
  return n;
}
const int = (flag: string, v: string, min: number): number =>
  num(flag, v, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`);

const GiB = 1024 ** 3;
const KV_DTYPES: Record<string, 'auto' | 'fp8'> = { auto: 'auto', fp8: 'fp8', fp8_e4m3: 'fp8', fp8_e5m2: 'fp8' };
const QUANTIZATION: Record<string, 'fp8' | 'int4'> = {
  fp8: 'fp8',
  awq: 'int4',
  gptq: 'int4',
  awq_marlin: 'int4',
  gptq_marlin: 'int4',
};

const FLAGS: Record<string, Setter> = {
  '--model': (o, v) => (o.engine.model = v),
  '--gpu': (o, v) => (o.engine.gpu = v),
  '--served-model-name': (o, v) => (o.engine.servedModelName = v),
  '--host': (o, v) => (o.host = v),
  '--port': (o, v, f) =>
    (o.port = num(f, v, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port in [0, 65535]')),
  '--gpu-memory-utilization': (o, v, f) =>
    (o.engine.gpuMemoryUtilization = num(f, v, (n) => n > 0 && n <= 1, 'in (0, 1]')),
  '--max-num-seqs': (o, v, f) => (o.engine.maxNumSeqs = int(f, v, 1)),
  '--max-num-batched-tokens': (o, v, f) => (o.engine.maxNumBatchedTokens = int(f, v, 1)),
  '--max-model-len': (o, v, f) => (o.engine.maxModelLen = int(f, v, 1)),
  '--tensor-parallel-size': (o, v, f) => (o.engine.tensorParallelSize = int(f, v, 1)),
  '--num-gpu-blocks-override': (o, v, f) => (o.engine.numGpuBlocksOverride = int(f, v, 1)),
  '--seed': (o, v, f) => (o.engine.seed = int(f, v, 0)),
  '--speed': (o, v, f) => (o.speed = num(f, v, (n) => n > 0, 'a number > 0')),
  '--load-time': (o, v, f) => (o.loadingSec = num(f, v, (n) => n >= 0, 'seconds ≥ 0')),
  '--kv-offloading-size': (o, v, f) =>
    (o.engine.kvOffload = { ...o.engine.kvOffload, cpuBytes: num(f, v, (n) => n >= 0, 'GiB ≥ 0') * GiB }),
  '--kv-cache-dtype': (o, v, f) => {
    const d = KV_DTYPES[v];
    if (!d) throw new ServeArgsError(`${f}: must be one of ${Object.keys(KV_DTYPES).join(', ')}, got '${v}'`);
    o.engine.kvCacheDtype = d;
  },
  '--quantization': (o, v, f) => {
    const q = QUANTIZATION[v];
    if (!q) throw new ServeArgsError(`${f}: must be one of ${Object.keys(QUANTIZATION).join(', ')}, got '${v}'`);
    o.engine.weightDtype = q;
  },
};
const SWITCHES: Record<string, (o: ServeOptions) => void> = {
  '--enable-prefix-caching': (o) => (o.engine.enablePrefixCaching = true),
  '--no-enable-prefix-caching': (o) => (o.engine.enablePrefixCaching = false),
};
const ALIASES: Record<string, string> = { '-tp': '--tensor-parallel-size' };

/**
 * Parses `vllm serve` style flags (`--flag value` or `--flag=value`; the model may also come first
 * as in `vllm serve <model>`). `--gpu`, `--speed` and `--load-time` are the simulator's own.
 */
export function parseServeArgs(argv: readonly string[]): ServeOptions {
  const opts: ServeOptions = {
    engine: { model: '', gpu: '' },
    host: '127.0.0.1',
    port: 8000,
    speed: 1,
    loadingSec: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (i === 0 && !arg.startsWith('-')) {
      opts.engine.model = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const raw = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = ALIASES[raw] ?? raw;
    const sw = SWITCHES[flag];
    if (sw) {
      if (eq > 0) throw new ServeArgsError(`${flag}: takes no value`);
      sw(opts);
      continue;
    }
    const set = FLAGS[flag];
    if (!set) throw new ServeArgsError(`${raw}: unknown flag`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ServeArgsError(`${flag}: missing value`);
    set(opts, value, flag);
  }
  if (!opts.engine.model) throw new ServeArgsError('--model: required (a catalog id or a Hugging Face name)');
  if (!opts.engine.gpu)
    throw new ServeArgsError('--gpu: required (H100-SXM, H100-PCIe, H200, A100-80GB, L40S, A10G, L4)');
  return opts;
}
