import { invalidField } from '../catalog/index.js';
import type { BlockKey } from './block-pool.js';

export const FinishReason = { stop: 'stop', length: 'length', abort: 'abort' } as const;
export type FinishReason = (typeof FinishReason)[keyof typeof FinishReason];

/** A request as the engine core receives it. */
export interface EngineRequestInput {
  id: string;
  /** When the API server received it (simulated seconds). */
  arrivalSec: number;
  promptTokens: number;
  /** Tokens the request will generate before it stops. */
  outputTokens: number;
  /** `length` when max_tokens ends it (HTTP), `stop` when the model's EOS does (trace replay). */
  finishReason?: 'stop' | 'length';
  /** The request's max_tokens parameter, for vLLM's request_params_max_tokens histogram. */
  maxTokens?: number;
  /** One content key per full 16-token prompt block, prefix-chained: equal key ⇒ equal prefix KV. */
  blockKeys?: readonly string[];
}

/** Per-request outcome with vLLM's timing definitions (v1/metrics/stats.py). */
export interface FinishedRequest {
  id: string;
  arrivalSec: number;
  /** Entered the engine core's waiting queue (after the API server's preprocessing). */
  queuedSec: number;
  firstScheduledSec: number;
  /** Engine-core time the last token was sampled. */
  engineFinishSec: number;
  /** Client-visible completion (after detokenization). */
  finishSec: number;
  ttftSec: number;
  itlsSec: number[];
  e2eSec: number;
  queueTimeSec: number;
  prefillTimeSec: number;
  decodeTimeSec: number;
  inferenceTimeSec: number;
  meanTimePerOutputTokenSec: number;
  promptTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the GPU prefix cache at first scheduling. */
  cachedPromptTokens: number;
  /** Prompt tokens loaded from an offload tier at first scheduling. */
  offloadedPromptTokens: number;
  preemptions: number;
  finishReason: FinishReason;
}

/** Mutable scheduler state of one request. */
export interface RequestState {
  input: EngineRequestInput;
  /** Engine-local number; keys the request's own blocks. */
  serial: number;
  readySec: number;
  computedTokens: number;
  generatedTokens: number;
  ownBlocks: number;
  cachedKeys: BlockKey[];
  /** Full blocks already published to (or checked against) the prefix cache. */
  publishedBlocks: number;
  firstScheduledSec: number | undefined;
  firstTokenSec: number | undefined;
  lastTokenSec: number | undefined;
  itlsSec: number[];
  preemptions: number;
  cachedPromptTokens: number | undefined;
  offloadedPromptTokens: number;
  aborted: boolean;
}

export function validateRequest(req: EngineRequestInput, nowSec: number, maxModelLen: number): void {
  const int = (v: number, field: string): void => {
    if (!Number.isInteger(v) || v < 1)
      throw invalidField(field, 'positive_integer', `must be an integer ≥ 1, got ${v}`);
  };
  if (typeof req.id !== 'string' || req.id === '')
    throw invalidField('id', 'non_empty_string', 'must be a non-empty string');
  int(req.promptTokens, 'promptTokens');
  int(req.outputTokens, 'outputTokens');
  if (!Number.isFinite(req.arrivalSec) || req.arrivalSec < nowSec - 1e-9) {
    throw invalidField('arrivalSec', 'not_in_past', `must be ≥ the engine's time ${nowSec}, got ${req.arrivalSec}`);
  }
  const total = req.promptTokens + req.outputTokens;
  if (total > maxModelLen) {
    throw invalidField(
      'outputTokens',
      'within_max_model_len',
      `this model's maximum context length is ${maxModelLen} tokens; the request needs ${total} ` +
        `(${req.promptTokens} prompt + ${req.outputTokens} output)`
    );
  }
}

export function newRequestState(input: EngineRequestInput, readySec: number, serial = 0): RequestState {
  return {
    input,
    serial,
    readySec,
    computedTokens: 0,
    generatedTokens: 0,
    ownBlocks: 0,
    cachedKeys: [],
    publishedBlocks: 0,
    firstScheduledSec: undefined,
    firstTokenSec: undefined,
    lastTokenSec: undefined,
    itlsSec: [],
    preemptions: 0,
    cachedPromptTokens: undefined,
    offloadedPromptTokens: 0,
    aborted: false,
  };
}

/** Tokens whose KV the request needs: the prompt plus every token sampled so far. */
export function numTokens(r: RequestState): number {
  return r.input.promptTokens + r.generatedTokens;
}
