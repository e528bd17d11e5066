import { describe, expect, it } from 'vitest';
import { ApiError, estimateTokens, parseCompletionBody } from './index.js';

const CTX = { servedModelName: 'm', maxModelLen: 1000 };

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('sim/engine OpenAI request parsing', () => {
  it('estimates ≈ 4 characters per token', () => {
    expect(estimateTokens('a'.repeat(400))).toBe(100);
    expect(estimateTokens('abc')).toBe(1);
  });

  it('reads a completion: prompt tokens, max_tokens (default 16), prefix keys per 64 characters', () => {
    const p = parseCompletionBody('completion', { model: 'm', prompt: 'x'.repeat(200) }, CTX);
    expect(p).toMatchObject({ promptTokens: 50, maxTokens: 16, stream: false });
    expect(p.blockKeys).toHaveLength(3);
    const ids = parseCompletionBody(
      'completion',
      { prompt: Array.from({ length: 40 }, (_, i) => i), max_tokens: 5 },
      CTX
    );
    expect(ids).toMatchObject({ promptTokens: 40, maxTokens: 5 });
    expect(ids.blockKeys).toHaveLength(2);
  });

  it('gives equal prompts equal keys and different prefixes different keys', () => {
    const a = parseCompletionBody('completion', { prompt: 'S'.repeat(128) + 'tail one' }, CTX).blockKeys;
    const b = parseCompletionBody('completion', { prompt: 'S'.repeat(128) + 'tail two' }, CTX).blockKeys;
    const c = parseCompletionBody('completion', { prompt: 'T' + 'S'.repeat(127) }, CTX).blockKeys;
    expect(a).toEqual(b);
    expect(c[1]).not.toEqual(a[1]);
  });

  it('reads chat messages with template overhead; max_tokens defaults to the room left', () => {
    const p = parseCompletionBody(
      'chat',
      {
        messages: [
          { role: 'system', content: 'x'.repeat(40) },
          { role: 'user', content: [{ type: 'text', text: 'y'.repeat(80) }] },
        ],
      },
      CTX
    );
    // 3 (reply header) + (4 + 10) + (4 + 20)
    expect(p.promptTokens).toBe(41);
    expect(p.maxTokens).toBe(1000 - 41);
  });

  it('answers bad bodies with status 400 (404 for another model) naming the field', () => {
    expect(apiError(() => parseCompletionBody('completion', { prompt: '' }, CTX))).toMatchObject({
      status: 400,
      param: 'prompt',
    });
    expect(apiError(() => parseCompletionBody('completion', { prompt: 'hi', max_tokens: 0 }, CTX))).toMatchObject({
      status: 400,
      param: 'max_tokens',
    });
    expect(apiError(() => parseCompletionBody('chat', { messages: [] }, CTX)).param).toBe('messages');
    expect(apiError(() => parseCompletionBody('chat', { messages: [{ role: 'bot', content: 'x' }] }, CTX)).param).toBe(
      'messages.0.role'
    );
    expect(apiError(() => parseCompletionBody('completion', { prompt: 'x', temperature: 'hot' }, CTX)).param).toBe(
      'temperature'
    );
    const tooLong = apiError(() =>
      parseCompletionBody('completion', { prompt: 'x'.repeat(3960), max_tokens: 20 }, CTX)
    );
    expect(tooLong.message).toMatch(/maximum context length is 1000 tokens\. However, you requested 1010 tokens/);
    const other = apiError(() => parseCompletionBody('completion', { model: 'gpt-4', prompt: 'x' }, CTX));
    expect(other.status).toBe(404);
    expect(other.body()).toEqual({
      error: { message: 'The model `gpt-4` does not exist.', type: 'NotFoundError', param: 'model', code: 404 },
    });
  });
});
