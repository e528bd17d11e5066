import type { GpuDevice } from '../../schemas/index.js';
import type { GpuProcessReading } from '../telemetry/nvidia-smi-csv.js';
import type { Sample } from '../telemetry/prometheus-text.js';

/** One reading of every GPU on the node. */
export interface GpuReading {
  driverVersion?: string;
  gpus: GpuDevice[];
  processes: GpuProcessReading[];
}

/** Where GPU readings come from (nvidia-smi here; the simulator elsewhere). */
export interface GpuSource {
  /** Names the source in logs and events, e.g. `nvidia-smi:/usr/bin/nvidia-smi`. */
  readonly name: string;
  /** Fails at startup on what no retry can fix (e.g. the binary is missing). */
  probe?(): Promise<void>;
  read(): Promise<GpuReading>;
}

/** Where engine metrics come from: the engine's own `/metrics`, or a Prometheus that scrapes it. */
export interface EngineSource {
  readonly name: string;
  readonly engine: 'vllm' | 'sim';
  /** Served model name, reported while the engine has never answered. */
  readonly model?: string;
  scrape(): Promise<Sample[]>;
}
