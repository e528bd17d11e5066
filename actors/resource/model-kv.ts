/**
 * KV bytes per token of the models the fleet serves, bf16 KV, all layers (2 × layers × KV heads ×
 * head dim × 2 bytes; GQA-aware). Figures from each model's Hugging Face config.json, the same
 * ones sim/catalog reads. A model missing here gets no KV sizing: the analyzers then skip what
 * needs bytes (offload tier size) rather than guess.
 */
export interface ModelKv {
  id: string;
  /** Names engines report it under (`--served-model-name` defaults to the repository). */
  names: readonly string[];
  kvBytesPerToken: number;
  source: string;
}

const kv = (layers: number, kvHeads: number, headDim: number): number => 2 * layers * kvHeads * headDim * 2;

export const MODEL_KV: readonly ModelKv[] = [
  {
    id: 'llama-3.1-8b',
    names: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    kvBytesPerToken: kv(32, 8, 128),
    source: 'config.json: 32 layers, 8 KV heads, head_dim 128',
  },
  {
    id: 'llama-3.1-70b',
    names: ['meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-70B', 'meta-llama/Meta-Llama-3.1-70B-Instruct'],
    kvBytesPerToken: kv(80, 8, 128),
    source: 'config.json: 80 layers, 8 KV heads, head_dim 128',
  },
  {
    id: 'qwen2.5-7b',
    names: ['Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-7B'],
    kvBytesPerToken: kv(28, 4, 128),
    source: 'config.json: 28 layers, 4 KV heads, head_dim 128',
  },
  {
    id: 'qwen2.5-32b',
    names: ['Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-32B'],
    kvBytesPerToken: kv(64, 8, 128),
    source: 'config.json: 64 layers, 8 KV heads, head_dim 128',
  },
  {
    id: 'mixtral-8x7b',
    names: ['mistralai/Mixtral-8x7B-Instruct-v0.1', 'mistralai/Mixtral-8x7B-v0.1'],
    kvBytesPerToken: kv(32, 8, 128),
    source: 'config.json: 32 layers, 8 KV heads, head_dim 128',
  },
];

/** KV bytes per token of a served model, bf16 (halved under `--kv-cache-dtype fp8`); undefined when unknown. */
export function kvBytesPerTokenOf(model: string, kvCacheDtype?: string | number | boolean): number | undefined {
  const key = model.trim().toLowerCase();
  const m = MODEL_KV.find((x) => x.id === key || x.names.some((n) => n.toLowerCase() === key));
  if (!m) return undefined;
  return typeof kvCacheDtype === 'string' && kvCacheDtype.startsWith('fp8') ? m.kvBytesPerToken / 2 : m.kvBytesPerToken;
}
