import { createRng } from '../random.js';
import { CHARS_PER_TOKEN, blockKeysFromText, blockKeysFromTokenIds } from './prefix-keys.js';

/** An error answered in OpenAI's shape: `{error: {message, type, param, code}}`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type = status === 404 ? 'NotFoundError' : status === 503 ? 'ServiceUnavailableError' : 'BadRequestError'
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: number } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }
}

export type CompletionKind = 'completion' | 'chat';

export interface ParsedCompletion {
  kind: CompletionKind;
  promptTokens: number;
  maxTokens: number;
  stream: boolean;
  includeUsageInStream: boolean;
  blockKeys: string[];
  /** Seeds the synthetic answer so the same request gets the same text. */
  textSeed: string;
}

export interface ApiContext {
  servedModelName: string;
  maxModelLen: number;
}

/** vLLM's completions default when max_tokens is absent (the OpenAI API's). */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
/** Chat-template tokens around each message (role header, separators) and the assistant header. */
export const CHAT_TOKENS_PER_MESSAGE = 4;
export const CHAT_TOKENS_PER_REPLY = 3;
const CHAT_ROLES = ['system', 'user', 'assistant', 'tool', 'developer'];

/** ≈ 4 characters per token (OpenAI's rule of thumb for English), at least one token. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTokenIds(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && (x as number) >= 0);
}

function parsePrompt(prompt: unknown): { tokens: number; keys: string[]; seed: string } {
  let p = prompt;
  if (Array.isArray(p) && p.length === 1 && (typeof p[0] === 'string' || Array.isArray(p[0]))) p = p[0];
  if (typeof p === 'string' && p.length > 0) return { tokens: estimateTokens(p), keys: blockKeysFromText(p), seed: p };
  if (isTokenIds(p)) return { tokens: p.length, keys: blockKeysFromTokenIds(p), seed: p.join(',') };
  if (Array.isArray(p) && p.length > 1)
    throw new ApiError(400, 'batched prompts are not supported: send one prompt per request', 'prompt');
  throw new ApiError(400, 'prompt must be a non-empty string or a non-empty array of token ids', 'prompt');
}

function messageText(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part, j) => {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        throw new ApiError(
          400,
          `messages[${i}].content[${j}] must be a text part {type: "text", text}`,
          `messages.${i}.content`
        );
      })
      .join('');
  }
  if (content === null || content === undefined) return '';
  throw new ApiError(400, `messages[${i}].content must be a string or an array of text parts`, `messages.${i}.content`);
}

function parseMessages(messages: unknown): { tokens: number; keys: string[]; seed: string } {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ApiError(400, 'messages must be a non-empty array', 'messages');
  }
  let tokens = CHAT_TOKENS_PER_REPLY;
  let rendered = '';
  messages.forEach((m, i) => {
    if (!isRecord(m)) throw new ApiError(400, `messages[${i}] must be an object`, `messages.${i}`);
    if (typeof m.role !== 'string' || !CHAT_ROLES.includes(m.role)) {
      throw new ApiError(400, `messages[${i}].role must be one of ${CHAT_ROLES.join(', ')}`, `messages.${i}.role`);
    }
    const text = messageText(m.content, i);
    tokens += CHAT_TOKENS_PER_MESSAGE + Math.ceil(text.length / CHARS_PER_TOKEN);
    rendered += `<|${m.role}|>${text}`;
  });
  return { tokens, keys: blockKeysFromText(rendered), seed: rendered };
}

function optionalInt(body: Record<string, unknown>, field: string, min: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < min)
    throw new ApiError(400, `${field} must be an integer ≥ ${min}`, field);
  return v as number;
}

function optionalNumber(body: Record<string, unknown>, field: string): void {
  const v = body[field];
  if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
    throw new ApiError(400, `${field} must be a number`, field);
  }
}

/** Validates an OpenAI completions / chat completions body the way vLLM's server does. */
export function parseCompletionBody(kind: CompletionKind, body: unknown, ctx: ApiContext): ParsedCompletion {
  if (!isRecord(body)) throw new ApiError(400, 'the request body must be a JSON object');
  if (body.model !== undefined && body.model !== ctx.servedModelName) {
    if (typeof body.model !== 'string') throw new ApiError(400, 'model must be a string', 'model');
    throw new ApiError(404, `The model \`${body.model}\` does not exist.`, 'model');
  }
  const p = kind === 'chat' ? parseMessages(body.messages) : parsePrompt(body.prompt);
  for (const f of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'seed']) optionalNumber(body, f);
  const n = optionalInt(body, 'n', 1);
  if (n !== undefined && n > 1) throw new ApiError(400, 'n > 1 is not supported by the simulated engine', 'n');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw new ApiError(400, 'stream must be a boolean', 'stream');
  }
  const maxField = kind === 'chat' && body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const requested = optionalInt(body, maxField, 1);
  const room = ctx.maxModelLen - p.tokens;
  const maxTokens = requested ?? (kind === 'chat' ? room : COMPLETIONS_DEFAULT_MAX_TOKENS);
  if (p.tokens + maxTokens > ctx.maxModelLen || room < 1) {
    throw new ApiError(
      400,
      `This model's maximum context length is ${ctx.maxModelLen} tokens. However, you requested ` +
        `${p.tokens + maxTokens} tokens (${p.tokens} in the messages, ${maxTokens} in the completion). ` +
        'Please reduce the length of the messages or completion.',
      kind === 'chat' ? 'messages' : 'prompt'
    );
  }
  const streamOptions = body.stream_options;
  return {
    kind,
    promptTokens: p.tokens,
    maxTokens,
    stream: body.stream === true,
    includeUsageInStream: isRecord(streamOptions) && streamOptions.include_usage === true,
    blockKeys: p.keys,
    textSeed: `${p.seed}\u0000${maxTokens}`,
  };
}

const WORDS = [
  'the',
  'and',
  'for',
  'are',
  'but',
  'not',
  'you',
  'all',
  'any',
  'can',
  'had',
  'her',
  'was',
  'one',
  'our',
  'out',
];

/** One synthetic token: a three-letter word and a space, so 4 characters per token as counted above. */
export function syntheticToken(seed: string, index: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  const rng = createRng(h ^ Math.imul(index + 1, 0x9e3779b1));
  return `${WORDS[rng.int(0, WORDS.length - 1)]} `;
}

export function syntheticText(seed: string, tokens: number): string {
  let out = '';
  for (let i = 0; i < tokens; i++) out += syntheticToken(seed, i);
  return out.trimEnd();
}
