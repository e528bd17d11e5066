import { MOONCAKE_TOKENS_PER_HASH_ID, blockKeysFromHashIds } from './prefix-keys.js';
import type { EngineRequestInput } from './request.js';

/** The shape of a replayed trace request (sim/trace's `SimRequest`). */
export interface TraceRequestLike {
  id: string;
  arrivalSec: number;
  promptTokens: number;
  outputTokens: number;
  /** Mooncake `hash_ids`: one per 512-token prompt block. */
  prefixHashes?: readonly number[];
}

/** A trace request as the engine takes it: its output ends on the model's EOS (`stop`). */
export function engineRequestFromTrace(r: TraceRequestLike, offsetSec = 0): EngineRequestInput {
  return {
    id: r.id,
    arrivalSec: r.arrivalSec + offsetSec,
    promptTokens: r.promptTokens,
    outputTokens: r.outputTokens,
    finishReason: 'stop',
    ...(r.prefixHashes
      ? { blockKeys: blockKeysFromHashIds(r.prefixHashes, r.promptTokens, MOONCAKE_TOKENS_PER_HASH_ID) }
      : {}),
  };
}
