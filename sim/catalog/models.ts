import { SimConfigError, SimConfigErrorCode } from './config-error.js';

/** Architecture of one model, as its Hugging Face config.json and model card state it. */
export interface ModelSpec {
  id: ModelId;
  /** Hugging Face repositories that name this model (`--model` accepts any of them). */
  hfRepos: readonly string[];
  /** All parameters. */
  paramsTotal: number;
  /** Parameters touched per token (differs from total for mixture-of-experts). */
  paramsActive: number;
  numLayers: number;
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  maxContextTokens: number;
  /** Mixture of experts: experts per layer and experts routed per token. */
  moe?: { numExperts: number; expertsPerToken: number };
  /** Where each figure was read. */
  sources: { config: string; params: string };
}

export const ModelId = {
  llama31_8b: 'llama-3.1-8b',
  llama31_70b: 'llama-3.1-70b',
  qwen25_7b: 'qwen2.5-7b',
  qwen25_32b: 'qwen2.5-32b',
  mixtral_8x7b: 'mixtral-8x7b',
} as const;
export type ModelId = (typeof ModelId)[keyof typeof ModelId];

export const MODELS: Readonly<Record<ModelId, ModelSpec>> = {
  'llama-3.1-8b': {
    id: 'llama-3.1-8b',
    hfRepos: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    paramsTotal: 8.03e9,
    paramsActive: 8.03e9,
    numLayers: 32,
    hiddenSize: 4096,
    intermediateSize: 14336,
    numAttentionHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    vocabSize: 128256,
    maxContextTokens: 131072,
    sources: {
      config: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/config.json',
      params: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct (model card: 8B; safetensors 8.03B params)',
    },
  },
  'llama-3.1-70b': {
    id: 'llama-3.1-70b',
    hfRepos: [
      'meta-llama/Llama-3.1-70B-Instruct',
      'meta-llama/Llama-3.1-70B',
      'meta-llama/Meta-Llama-3.1-70B-Instruct',
    ],
    paramsTotal: 70.6e9,
    paramsActive: 70.6e9,
    numLayers: 80,
    hiddenSize: 8192,
    intermediateSize: 28672,
    numAttentionHeads: 64,
    numKvHeads: 8,
    headDim: 128,
    vocabSize: 128256,
    maxContextTokens: 131072,
    sources: {
      config: 'https://huggingface.co/meta-llama/Llama-3.1-70B-Instruct/blob/main/config.json',
      params: 'https://huggingface.co/meta-llama/Llama-3.1-70B-Instruct (model card: 70B; safetensors 70.6B params)',
    },
  },
  'qwen2.5-7b': {
    id: 'qwen2.5-7b',
    hfRepos: ['Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-7B'],
    paramsTotal: 7.61e9,
    paramsActive: 7.61e9,
    numLayers: 28,
    hiddenSize: 3584,
    intermediateSize: 18944,
    numAttentionHeads: 28,
    numKvHeads: 4,
    headDim: 128,
    vocabSize: 152064,
    // config.json max_position_embeddings; 128K needs YaRN rope scaling, off by default
    maxContextTokens: 32768,
    sources: {
      config: 'https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/blob/main/config.json',
      params: 'https://huggingface.co/Qwen/Qwen2.5-7B-Instruct (model card: Number of Parameters 7.61B)',
    },
  },
  'qwen2.5-32b': {
    id: 'qwen2.5-32b',
    hfRepos: ['Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-32B'],
    paramsTotal: 32.5e9,
    paramsActive: 32.5e9,
    numLayers: 64,
    hiddenSize: 5120,
    intermediateSize: 27648,
    numAttentionHeads: 40,
    numKvHeads: 8,
    headDim: 128,
    vocabSize: 152064,
    maxContextTokens: 32768,
    sources: {
      config: 'https://huggingface.co/Qwen/Qwen2.5-32B-Instruct/blob/main/config.json',
      params: 'https://huggingface.co/Qwen/Qwen2.5-32B-Instruct (model card: Number of Parameters 32.5B)',
    },
  },
  'mixtral-8x7b': {
    id: 'mixtral-8x7b',
    hfRepos: ['mistralai/Mixtral-8x7B-Instruct-v0.1', 'mistralai/Mixtral-8x7B-v0.1'],
    paramsTotal: 46.7e9,
    paramsActive: 12.9e9,
    numLayers: 32,
    hiddenSize: 4096,
    intermediateSize: 14336,
    numAttentionHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    vocabSize: 32000,
    maxContextTokens: 32768,
    moe: { numExperts: 8, expertsPerToken: 2 },
    sources: {
      config: 'https://huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1/blob/main/config.json',
      params: 'https://mistral.ai/news/mixtral-of-experts (46.7B total, 12.9B used per token)',
    },
  },
};

/** Looks a model up by catalog id or any of its Hugging Face repository names (case-insensitive). */
export function findModel(name: string): ModelSpec | undefined {
  const key = name.trim().toLowerCase();
  return Object.values(MODELS).find((m) => m.id === key || m.hfRepos.some((r) => r.toLowerCase() === key));
}

export function getModel(name: string, field = 'model'): ModelSpec {
  const model = findModel(name);
  if (!model) {
    const known = Object.keys(MODELS).join(', ');
    throw new SimConfigError(
      SimConfigErrorCode.unknownModel,
      field,
      'known_model',
      `unknown model '${name}'; known: ${known}`
    );
  }
  return model;
}
