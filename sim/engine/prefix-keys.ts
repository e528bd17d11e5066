import { BLOCK_SIZE_TOKENS } from '../catalog/index.js';

/** Tokens per Mooncake `hash_ids` entry (FAST'25 trace README: block size 512). */
export const MOONCAKE_TOKENS_PER_HASH_ID = 512;
/** The HTTP surface's token estimate: ≈ 4 characters per token. */
export const CHARS_PER_TOKEN = 4;

/**
 * vLLM block keys for a Mooncake-style request: each hash id covers 512 tokens, i.e. 32 blocks of
 * 16. The ids are already prefix hashes (equal id ⇒ reusable prefix), so a block's key is its id
 * and its position inside that id's span. Only full blocks get keys, as vLLM caches only those.
 */
export function blockKeysFromHashIds(
  hashIds: readonly number[],
  promptTokens: number,
  tokensPerHashId = MOONCAKE_TOKENS_PER_HASH_ID
): string[] {
  const perId = tokensPerHashId / BLOCK_SIZE_TOKENS;
  const fullBlocks = Math.floor(promptTokens / BLOCK_SIZE_TOKENS);
  const keys: string[] = [];
  for (let i = 0; i < fullBlocks; i++) {
    const id = hashIds[Math.floor(i / perId)];
    if (id === undefined) break;
    keys.push(`h${id}.${i % perId}`);
  }
  return keys;
}

function mix(h: number, v: number, prime: number): number {
  return Math.imul(h ^ v, prime) >>> 0;
}

/** Prefix-chained keys over fixed-size chunks of `units` (characters or token ids), two 32-bit FNV-1a lanes. */
function chainedKeys(units: ArrayLike<number>, unitsPerBlock: number, prefix: string): string[] {
  const keys: string[] = [];
  let a = 0x811c9dc5;
  let b = 0x12345678;
  const blocks = Math.floor(units.length / unitsPerBlock);
  for (let blk = 0; blk < blocks; blk++) {
    for (let i = blk * unitsPerBlock; i < (blk + 1) * unitsPerBlock; i++) {
      a = mix(a, units[i]!, 0x01000193);
      b = mix(b, units[i]!, 0x5bd1e995);
    }
    keys.push(`${prefix}${a.toString(36)}.${b.toString(36)}`);
  }
  return keys;
}

/** Block keys for prompt text: a block is 16 × 4 characters, chained so equal keys mean equal prefixes. */
export function blockKeysFromText(text: string): string[] {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return chainedKeys(codes, BLOCK_SIZE_TOKENS * CHARS_PER_TOKEN, 't');
}

export function blockKeysFromTokenIds(tokenIds: readonly number[]): string[] {
  return chainedKeys(tokenIds, BLOCK_SIZE_TOKENS, 'k');
}
