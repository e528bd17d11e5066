import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check, startTsProcess } from '../../../testkit/index.js';

const SERVE = fileURLToPath(new URL('../serve.ts', import.meta.url));

describe('sim/engine serve.ts as a child process', () => {
  it('starts like `vllm serve`, answers completions and metrics, and exits 0 on SIGTERM', async () => {
    await using proc = startTsProcess(
      'sim-serve',
      SERVE,
      [
        'meta-llama/Llama-3.1-8B-Instruct',
        '--gpu',
        'H100-SXM',
        '--port',
        '0',
        '--max-model-len',
        '8192',
        '--speed',
        '20',
      ],
      {}
    );
    const line = await check(
      () =>
        proc
          .getLog()
          .split('\n')
          .find((l) => l.includes('"listening"')),
      20_000,
      {
        name: 'serve.ts listening line',
      }
    );
    const info = JSON.parse(line) as { url: string; loadingSec: number; numGpuBlocks: number };
    expect(info.numGpuBlocks).toBeGreaterThan(20_000);
    // weights 16 GB at an assumed 2 GB/s + 10 s graph capture ≈ 18 s simulated → ~0.9 s at speed 20
    expect(info.loadingSec).toBeCloseTo(16.06 / 2 + 10, 1);
    expect((await fetch(`${info.url}/health`)).status).toBe(503);
    await check(async () => (await fetch(`${info.url}/health`)).status === 200, 10_000, { name: 'loaded' });

    const res = await fetch(`${info.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'meta-llama/Llama-3.1-8B-Instruct', prompt: 'Say hi', max_tokens: 12 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { completion_tokens: number; prompt_tokens: number } };
    expect(body.usage).toMatchObject({ completion_tokens: 12, prompt_tokens: 2 });
    const metrics = await (await fetch(`${info.url}/metrics`)).text();
    expect(metrics).toMatch(
      /vllm:num_requests_running\{engine="0",model_name="meta-llama\/Llama-3.1-8B-Instruct"\} 0\.0/
    );
    expect(await proc.stop()).toBe(0);
  });

  it('exits with code 2 and names the flag when a flag is bad', async () => {
    await using proc = startTsProcess(
      'sim-serve-bad',
      SERVE,
      ['--model', 'llama-3.1-8b', '--gpu', 'H100-SXM', '--max-num-seqs', '0'],
      {}
    );
    expect(await proc.exited).toBe(2);
    expect(proc.getLog()).toContain('--max-num-seqs: must be an integer ≥ 1');
  });

  it('exits with code 2 when the configuration cannot run', async () => {
    await using proc = startTsProcess('sim-serve-oom', SERVE, ['--model', 'llama-3.1-70b', '--gpu', 'L4'], {});
    expect(await proc.exited).toBe(2);
    expect(proc.getLog()).toMatch(/gpu_memory_utilization: llama-3.1-70b on 1× L4/);
  });
});
