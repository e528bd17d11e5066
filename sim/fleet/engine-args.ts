import {
  applyEngineChanges,
  parseEngineConfig,
  vllmArgs,
  type EngineConfig as EngineArgs,
} from '../../gpu-edge/index.js';
import { parseServeArgs, PCIE_EFFICIENCY, type EngineConfigInput } from '../engine/index.js';
import type { GpuSpec } from '../catalog/index.js';
import type { FleetSpec } from './fleet-spec.js';

export type { EngineArgs };

/** A flag change as a policy or an `engine.reconfigure` action sends it (vLLM name, no dashes in front). */
export type EngineArgChanges = Record<string, string | number | boolean | null>;

/**
 * Assumption: a vLLM V1 restart on a node that already ran the model spends ~30 s outside the
 * weight copy (process and CUDA start, torch.compile from its on-disk cache, KV profiling, CUDA
 * graph capture); 20–60 s is the range operators report for 7–13B models. Not measured here.
 */
export const ENGINE_RESTART_OVERHEAD_SEC = 30;

/** The engine args of a fleet spec replica, in the edge's vLLM-flag form. */
export function engineArgsOf(replica: FleetSpec['replicas'][number]): EngineArgs {
  return parseEngineConfig({ v: 1, model: replica.model, ...replica.engine });
}

/** Applies flag changes; an unknown flag or a bad value throws `EngineConfigError` naming the flag. */
export function changeEngineArgs(base: EngineArgs, changes: EngineArgChanges): EngineArgs {
  return applyEngineChanges(base, changes);
}

/**
 * The simulated engine's options for engine args, read by the same flag parser as the simulated
 * `vllm serve` (the edge's sim adapter passes the same command line). The KV offloading backend
 * is vLLM's connector choice: the simulator models one CPU tier, so it is not passed.
 */
export function engineInputOf(
  args: EngineArgs,
  o: { gpu: string; seed: number; engineIndex?: number }
): EngineConfigInput {
  const { kvOffloadingBackend: _backend, ...rest } = args;
  const engine = parseServeArgs([...vllmArgs(rest), '--gpu', o.gpu]).engine;
  return { ...engine, seed: o.seed, ...(o.engineIndex !== undefined ? { engineIndex: o.engineIndex } : {}) };
}

/**
 * Seconds a reconfigured engine is down: the restart overhead plus the weights copied to the GPU
 * from the page cache (the node read them at boot, so no disk read), at the host-to-device PCIe
 * rate the engine model uses for KV offload.
 */
export function engineRestartSec(gpu: GpuSpec, weightsBytesPerGpu: number): number {
  return ENGINE_RESTART_OVERHEAD_SEC + weightsBytesPerGpu / ((gpu.pcieBytesPerSec / 2) * PCIE_EFFICIENCY);
}
