import { describe, expect, it } from 'vitest';
import { isSimConfigError } from '../catalog/index.js';
import { EngineModel, engineRequestFromTrace, resolveEngineConfig } from './index.js';

const BASE = { model: 'llama-3.1-8b', gpu: 'H100-SXM' };

describe('sim/engine EngineModel', () => {
  it('is idle until the caller advances it, and reports its next event', () => {
    const e = new EngineModel(BASE);
    expect(e.nextEventSec()).toBe(Infinity);
    e.addRequest({ id: 'a', arrivalSec: 1, promptTokens: 100, outputTokens: 3 });
    // API-server preprocessing delays entry into the engine core
    expect(e.nextEventSec()).toBeCloseTo(1 + 0.012 + 100e-6, 9);
    e.advanceTo(0.5);
    expect(e.stats()).toMatchObject({ nowSec: 0.5, running: 0, waiting: 0, preprocessing: 1 });
    e.drain();
    const [f] = e.takeFinished();
    expect(f).toMatchObject({ id: 'a', outputTokens: 3, finishReason: 'length', preemptions: 0 });
    expect(f!.itlsSec).toHaveLength(2);
    expect(f!.e2eSec).toBeCloseTo(f!.ttftSec + f!.itlsSec[0]! + f!.itlsSec[1]!, 9);
  });

  it('takes Mooncake trace requests: hash ids become 32 block keys each, EOS ends them', () => {
    // shared/data/traces/mooncake-fast25 line 3: input_length 23769, output_length 3, 47 hash ids
    const hashIds = Array.from({ length: 47 }, (_, i) => 151 + i);
    const req = engineRequestFromTrace({
      id: 't3',
      arrivalSec: 0.04,
      promptTokens: 23769,
      outputTokens: 3,
      prefixHashes: hashIds,
    });
    expect(req.blockKeys).toHaveLength(Math.floor(23769 / 16));
    expect(req.blockKeys?.[32]).toBe('h152.0');
    const e = new EngineModel(BASE);
    e.addRequest(req);
    e.drain();
    expect(e.takeFinished()[0]).toMatchObject({ id: 't3', finishReason: 'stop', outputTokens: 3 });
  });

  it('lets many replicas share one event loop', () => {
    const fleet = [0, 1, 2].map((i) => new EngineModel({ ...BASE, engineIndex: i, seed: i }));
    fleet.forEach((e, i) =>
      e.addRequest({ id: `r${i}`, arrivalSec: 0, promptTokens: 200 * (i + 1), outputTokens: 20 })
    );
    let done = 0;
    for (let guard = 0; guard < 10_000 && done < 3; guard++) {
      const t = Math.min(...fleet.map((e) => e.nextEventSec()));
      for (const e of fleet) {
        if (e.nextEventSec() <= t) e.advanceTo(t);
        done += e.takeFinished().length;
      }
    }
    expect(done).toBe(3);
  });

  it('rejects requests that break a rule, naming the field', () => {
    const e = new EngineModel({ ...BASE, maxModelLen: 1000 });
    expect(() => e.addRequest({ id: 'x', arrivalSec: 0, promptTokens: 900, outputTokens: 200 })).toThrow(
      /outputTokens: this model's maximum context length is 1000 tokens/
    );
    expect(() => e.addRequest({ id: 'x', arrivalSec: 0, promptTokens: 0, outputTokens: 1 })).toThrow(/promptTokens/);
    e.advanceTo(5);
    expect(() => e.addRequest({ id: 'x', arrivalSec: 1, promptTokens: 10, outputTokens: 1 })).toThrow(/arrivalSec/);
    expect(() => e.advanceTo(1)).toThrow(/back in time/);
  });

  it('aborts a request wherever it is and reports it with reason abort', () => {
    const e = new EngineModel(BASE);
    e.addRequest({ id: 'a', arrivalSec: 0, promptTokens: 100, outputTokens: 1000 });
    e.advanceTo(0.2);
    expect(e.abort('a')).toBe(true);
    e.drain();
    const [f] = e.takeFinished();
    expect(f!.finishReason).toBe('abort');
    expect(f!.outputTokens).toBeLessThan(1000);
    expect(e.stats().kvCacheUsage).toBe(0);
    expect(e.metrics.success.abort).toBe(1);
  });

  it('refuses configs vLLM would refuse, naming the flag', () => {
    const err = (input: Parameters<typeof resolveEngineConfig>[0]): string => {
      try {
        resolveEngineConfig(input);
      } catch (e) {
        expect(isSimConfigError(e)).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(err({ model: 'llama-3.1-8b', gpu: 'L4' })).toMatch(/^max_model_len: the model's max seq len \(131072\)/);
    expect(err({ ...BASE, maxNumSeqs: 512, maxNumBatchedTokens: 256 })).toMatch(/^max_num_batched_tokens: /);
    expect(err({ ...BASE, maxModelLen: 200_000 })).toMatch(/^max_model_len: must be an integer in \[1, 131072\]/);
    expect(err({ ...BASE, kvCacheDtype: 'int8' as never })).toMatch(/^kv_cache_dtype: must be one of auto, fp8/);
    expect(err({ model: 'llama-3.1-70b', gpu: 'A100-80GB' })).toMatch(/^gpu_memory_utilization: /);
    expect(resolveEngineConfig({ model: 'llama-3.1-8b', gpu: 'L4', maxModelLen: 8192 }).maxNumSeqs).toBe(256);
  });

  it('loads an offloaded prefix over PCIe instead of recomputing it', () => {
    // a 16k-token document, evicted from a deliberately small GPU cache by other traffic, then asked again
    const keys = Array.from({ length: 1024 }, (_, i) => `doc.${i}`);
    const run = (cpuBytes: number): number => {
      const e = new EngineModel({ ...BASE, numGpuBlocksOverride: 2200, maxModelLen: 20000, kvOffload: { cpuBytes } });
      e.addRequest({ id: 'doc1', arrivalSec: 0, promptTokens: 16400, outputTokens: 1, blockKeys: keys });
      e.drain();
      for (let i = 0; i < 6; i++)
        e.addRequest({ id: `o${i}`, arrivalSec: e.nowSec, promptTokens: 8000, outputTokens: 1 });
      e.drain();
      e.addRequest({ id: 'doc2', arrivalSec: e.nowSec, promptTokens: 16400, outputTokens: 1, blockKeys: keys });
      e.drain();
      const f = e.takeFinished().find((r) => r.id === 'doc2')!;
      if (cpuBytes > 0) {
        expect(f.offloadedPromptTokens).toBeGreaterThan(16000);
        expect(e.metrics.externalHits).toBeGreaterThan(16000);
      } else expect(f.cachedPromptTokens).toBe(0);
      return f.ttftSec;
    };
    const recompute = run(0);
    const offloaded = run(64 * 1024 ** 3);
    // 16384 tokens × 128 KiB = 2 GiB over one PCIe Gen5 direction (64 GB/s × 0.8) ≈ 42 ms,
    // against a ~16k-token prefill of well over 100 ms
    expect(offloaded).toBeLessThan(recompute / 2);
    expect(offloaded).toBeGreaterThan((16384 * 131072) / (64e9 * 0.8));
  });
});
