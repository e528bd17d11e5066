import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../config/index.js';
import { findModel, getGpu, getModel, isSimConfigError, planMemory, resolveEngineConfig } from '../../sim/index.js';
import { freePort } from '../../testkit/index.js';
import { EngineController, type EngineEvent } from '../control/engine-controller.js';
import { catalogFitChecker } from '../engine/fit-check.js';
import type { EngineAdapter } from '../engine/engine-adapter.js';
import { parseEngineConfig, type EngineConfig } from '../engine/engine-config.js';
import { simAdapter } from '../engine/sim-adapter.js';
import { vllmAdapter } from '../engine/vllm-adapter.js';

// Real vLLM cannot run here: the vllm adapter is pointed at the simulator's engine, which takes
// vLLM's flags and serves vLLM's HTTP surface, plus its own --gpu/--speed/--load-time.
const SERVE = fileURLToPath(new URL('../../sim/engine/serve.ts', import.meta.url));
const SIM_FLAGS = ['--gpu', 'H100-SXM', '--speed', '1', '--load-time', '0.3'];
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

const fits = catalogFitChecker({ findModel, getGpu, isSimConfigError, resolveEngineConfig }, 'H100-SXM');
const ADAPTERS: Record<'sim' | 'vllm', (port: number) => EngineAdapter> = {
  sim: (port) => simAdapter({ gpu: 'H100-SXM', fits, port, loadTimeSec: 0.3 }),
  vllm: (port) =>
    vllmAdapter({ fits, port, command: [process.execPath, '--import', 'tsx', SERVE], extraArgs: SIM_FLAGS }),
};

const base: EngineConfig = parseEngineConfig({ v: 1, model: MODEL, maxModelLen: 8192, gpuMemoryUtilization: 0.9 });

function controller(adapter: EngineAdapter, events: EngineEvent[] = []): EngineController {
  return new EngineController({
    adapter,
    config: base,
    identity: { node: 'n1', workload: 'wl-1' },
    healthTimeoutMs: 20_000,
    healthPollMs: 100,
    verifyWindowMs: 800,
    verifyPollMs: 200,
    stopGraceMs: 3_000,
    restartBackoffMs: 100,
    onEvent: (e) => events.push(e),
    logger: silentLogger,
  });
}

async function cacheInfo(url: string): Promise<Record<string, string>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('vllm:cache_config_info{'))!;
  return Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** Blocks the catalog's memory plan gives (the same plan the engine and the fit check use). */
function expectedBlocks(util: number, maxNumSeqs?: number): number {
  return planMemory({
    gpu: getGpu('H100-SXM'),
    model: getModel(MODEL),
    gpuMemoryUtilization: util,
    ...(maxNumSeqs ? { maxNumSeqs } : {}),
  }).numGpuBlocks;
}

describe.each(['sim', 'vllm'] as const)('gpu-edge engine adapter %s (real child processes)', (kind) => {
  it('starts, reconfigures after health and a verify window, and the engine serves the new config', async () => {
    const c = controller(ADAPTERS[kind](await freePort()));
    try {
      await c.start();
      const first = c.instance!;
      expect((await cacheInfo(first.url)).gpu_memory_utilization).toBe('0.9');
      const out = await c.reconfigure({ 'gpu-memory-utilization': 0.8, 'max-num-seqs': 128 });
      expect(out.status, out.detail).toBe('succeeded');
      expect(c.instance!.pid).not.toBe(first.pid);
      expect(first.exitInfo()).toBeDefined();
      const info = await cacheInfo(c.instance!.url);
      expect(info.gpu_memory_utilization).toBe('0.8');
      expect(Number(info.num_gpu_blocks)).toBe(expectedBlocks(0.8, 128));
      expect(Number(info.num_gpu_blocks)).toBeLessThan(expectedBlocks(0.9));
      expect(c.lastGood).toMatchObject({ gpuMemoryUtilization: 0.8, maxNumSeqs: 128 });
      expect(out.metricsAfter?.kv_capacity_tokens).toBe(expectedBlocks(0.8, 128) * 16);
    } finally {
      await c.stop();
    }
  });

  it('refuses a config that cannot fit the GPU before touching the engine', async () => {
    const c = controller(ADAPTERS[kind](await freePort()));
    try {
      await c.start();
      const pid = c.instance!.pid;
      // 8.03 B params × 2 bytes = 16.06 GB of bf16 weights; 0.2 × 79.6 GiB = 15.9 GiB leaves no KV
      const out = await c.reconfigure({ 'gpu-memory-utilization': 0.2 });
      expect(out.status).toBe('failed');
      expect(out.detail).toMatch(
        /refused before touching the engine: gpu-memory-utilization: .*weights_and_reserve_fit/
      );
      expect(c.instance!.pid).toBe(pid);
      expect(await c.instance!.healthy()).toBe(true);
    } finally {
      await c.stop();
    }
  });
});

describe('gpu-edge engine control rollback', () => {
  it('rolls back a config the engine refuses at start (it never answers /health)', async () => {
    // the simulator does not know --kv-offloading-backend and exits 2 naming it, as a vLLM older
    // than the flag would
    const c = controller(ADAPTERS.vllm(await freePort()));
    try {
      await c.start();
      const out = await c.reconfigure({ 'kv-offloading-size': 16, 'kv-offloading-backend': 'native' });
      expect(out.status).toBe('rolled_back');
      expect(out.detail).toMatch(/exited with code 2.*--kv-offloading-backend: unknown flag.*rolled back/);
      expect(c.lastGood).toEqual(base);
      expect(await c.instance!.healthy()).toBe(true);
      expect((await cacheInfo(c.instance!.url)).gpu_memory_utilization).toBe('0.9');
      expect(c.status().state).toBe('healthy');
    } finally {
      await c.stop();
    }
  });

  it('ends rolled back and reported when the engine is SIGKILLed mid-change', async () => {
    const c = controller(ADAPTERS.sim(await freePort()));
    try {
      await c.start();
      const old = c.instance!.pid;
      const change = c.reconfigure({ 'max-num-seqs': 64 });
      // the new engine is up but still loading or verifying: kill it
      const deadline = Date.now() + 15_000;
      while (c.instance!.pid === old && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const victim = c.instance!;
      expect(victim.pid).not.toBe(old);
      process.kill(victim.pid, 'SIGKILL');
      const out = await change;
      expect(out.status).toBe('rolled_back');
      expect(out.detail).toMatch(/killed by SIGKILL.*rolled back to the last good configuration/);
      expect(c.lastGood.maxNumSeqs).toBeUndefined();
      expect(await c.instance!.healthy()).toBe(true);
      expect(c.instance!.pid).not.toBe(victim.pid);
    } finally {
      await c.stop();
    }
  });

  it('relaunches the last good config when the engine dies on its own, and reports both', async () => {
    const events: EngineEvent[] = [];
    const c = controller(ADAPTERS.sim(await freePort()), events);
    try {
      await c.start();
      const dead = c.instance!;
      process.kill(dead.pid, 'SIGKILL');
      const deadline = Date.now() + 20_000;
      while (!events.some((e) => e.event === 'engine_restarted') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(events.map((e) => e.event)).toEqual(['engine_died', 'engine_restarted']);
      expect(events[0]!.message).toMatch(/killed by SIGKILL/);
      expect(c.instance!.pid).not.toBe(dead.pid);
      expect(await c.instance!.healthy()).toBe(true);
      expect(c.status()).toMatchObject({ state: 'healthy', restarts: 1 });
    } finally {
      await c.stop();
    }
  });
});
