import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../../../testkit/index.js';
import { EngineModel, EngineServer } from '../index.js';

let server: EngineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: { speed?: number; loadingSec?: number } = {}): Promise<string> {
  const engine = new EngineModel({
    model: 'llama-3.1-8b',
    gpu: 'H100-SXM',
    servedModelName: 'llama-8b',
    maxModelLen: 8192,
  });
  server = new EngineServer({ engine, speed: opts.speed ?? 1, loadingSec: opts.loadingSec ?? 0 });
  const port = await server.listen(0);
  return `http://127.0.0.1:${port}`;
}

interface Choice {
  index: number;
  text?: string;
  message?: { role: string; content: string };
  delta?: { role?: string; content?: string };
  finish_reason: string | null;
}
/** The fields of OpenAI completion bodies, chunks and errors these tests read. */
interface Reply {
  object?: string;
  model?: string;
  choices: Choice[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  error?: { message: string; type: string; param: string | null; code: number };
  data: { id: string }[];
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Reply }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Reply };
}

describe('sim/engine EngineServer over loopback', () => {
  it('answers a completion with usage and deterministic text, after its simulated time', async () => {
    const url = await start();
    const t0 = performance.now();
    const a = await post(`${url}/v1/completions`, { model: 'llama-8b', prompt: 'Hello '.repeat(40), max_tokens: 20 });
    const wallMs = performance.now() - t0;
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({
      object: 'text_completion',
      model: 'llama-8b',
      usage: { prompt_tokens: 60, completion_tokens: 20, total_tokens: 80 },
      choices: [{ index: 0, finish_reason: 'length' }],
    });
    expect(a.json.choices[0]!.text!.split(' ')).toHaveLength(20);
    // speed 1: ~16 ms API overhead + prefill + 19 decode steps of ~6.4 ms ≈ 0.15 s of simulated time
    expect(wallMs).toBeGreaterThan(100);
    const b = await post(`${url}/v1/completions`, { prompt: 'Hello '.repeat(40), max_tokens: 20 });
    expect(b.json.choices[0]!.text).toBe(a.json.choices[0]!.text);
  });

  it('answers chat completions and streams them as server-sent events', async () => {
    const url = await start({ speed: 10 });
    const chat = await post(`${url}/v1/chat/completions`, {
      model: 'llama-8b',
      messages: [{ role: 'user', content: 'What is a KV cache?' }],
      max_tokens: 8,
    });
    expect(chat.status).toBe(200);
    expect(chat.json).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant' } }] });
    expect(chat.json.usage.completion_tokens).toBe(8);

    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'stream please' }],
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Reply);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const content = chunks.filter((c) => c.choices[0]?.delta?.content).length;
    expect(content).toBe(5);
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: 5,
      total_tokens: expect.any(Number),
    });
    expect(chunks.find((c) => c.choices[0]?.finish_reason === 'length')).toBeDefined();
  });

  it('rejects bad bodies in the OpenAI error shape with status 400', async () => {
    const url = await start({ speed: 10 });
    const bad = await post(`${url}/v1/completions`, { prompt: 'x', max_tokens: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      error: { message: 'max_tokens must be an integer ≥ 1', type: 'BadRequestError', param: 'max_tokens', code: 400 },
    });
    const notJson = await fetch(`${url}/v1/completions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Reply).error?.type).toBe('BadRequestError');
    expect((await post(`${url}/v1/chat/completions`, { model: 'other', messages: [] })).status).toBe(404);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('serves /v1/models, /health (503 while loading) and /metrics', async () => {
    const url = await start({ speed: 1, loadingSec: 0.3 });
    expect((await fetch(`${url}/health`)).status).toBe(503);
    expect((await post(`${url}/v1/completions`, { prompt: 'x' })).status).toBe(503);
    await check(async () => (await fetch(`${url}/health`)).status === 200, 5000, { name: 'model loaded' });
    const models = (await (await fetch(`${url}/v1/models`)).json()) as Reply;
    expect(models.data[0]).toMatchObject({ id: 'llama-8b', object: 'model', owned_by: 'vllm', max_model_len: 8192 });
    await post(`${url}/v1/completions`, { prompt: 'count me', max_tokens: 3 });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toContain('vllm:request_success_total{engine="0",finished_reason="length",model_name="llama-8b"} 1.0');
    expect(text).toContain('vllm:generation_tokens_total{engine="0",model_name="llama-8b"} 3.0');
  });

  it('drains: /health turns 503 and in-flight requests still complete', async () => {
    const url = await start({ speed: 1 });
    const pending = post(`${url}/v1/completions`, { prompt: 'long answer', max_tokens: 40 });
    await check(() => server!.engine.stats().running + server!.engine.stats().preprocessing > 0, 2000);
    const drained = server!.drain();
    expect((await fetch(`${url}/health`)).status).toBe(503);
    expect((await pending).json.usage.completion_tokens).toBe(40);
    await drained;
  });
});
