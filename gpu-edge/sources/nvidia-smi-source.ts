import { execFile } from 'node:child_process';
import { NvidiaSmiNotFoundError, ScrapeError } from '../errors.js';
import {
  APP_QUERY_FIELDS,
  GPU_QUERY_FIELDS,
  parseComputeAppsCsv,
  parseGpuQueryCsv,
} from '../telemetry/nvidia-smi-csv.js';
import type { GpuReading, GpuSource } from './types.js';

export interface NvidiaSmiOptions {
  /** Path or name on PATH (an operator sets it through OI_NVIDIA_SMI). */
  path?: string;
  /** Per invocation; a hung driver call is killed after this. */
  timeoutMs?: number;
}

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

interface ExecFailure extends Error {
  code?: string | number;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
  stdout?: string;
  stderr?: string;
}

function run(path: string, args: string[], timeoutMs: number, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path,
      args,
      { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as ExecFailure;
        if (e.code === 'ENOENT') return reject(new NvidiaSmiNotFoundError(path));
        if (e.killed || e.signal) {
          return reject(
            new ScrapeError(name, `timed out after ${timeoutMs} ms (killed with ${e.signal ?? 'SIGTERM'})`)
          );
        }
        // nvidia-smi prints its own failures ("couldn't communicate with the NVIDIA driver") on stdout
        const said = `${stdout}\n${stderr}`.trim().split('\n')[0]?.slice(0, 500) ?? '';
        reject(new ScrapeError(name, `exited with ${String(e.code)}${said ? `: ${said}` : ''}`, { cause: err }));
      }
    );
  });
}

/** Polls nvidia-smi's CSV queries (GPUs, then compute processes) through a child process. */
export function nvidiaSmiSource(opts: NvidiaSmiOptions = {}): GpuSource {
  const path = opts.path ?? 'nvidia-smi';
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const name = `nvidia-smi:${path}`;
  const read = async (): Promise<GpuReading> => {
    const gpuCsv = await run(
      path,
      [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      timeoutMs,
      name
    );
    const appsCsv = await run(
      path,
      [`--query-compute-apps=${APP_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      timeoutMs,
      name
    );
    const { gpus, driverVersion } = parseGpuQueryCsv(gpuCsv);
    const processes = parseComputeAppsCsv(appsCsv);
    return driverVersion === undefined ? { gpus, processes } : { gpus, processes, driverVersion };
  };
  return {
    name,
    read,
    probe: async () => {
      try {
        await read();
      } catch (err) {
        // a missing binary is fatal at startup; a driver hiccup is reported by the first sample
        if (err instanceof NvidiaSmiNotFoundError) throw err;
      }
    },
  };
}
