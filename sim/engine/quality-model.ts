import { invalidField, type KvCacheDtype, type ModelId, type WeightDtype } from '../catalog/index.js';
import { createRng } from '../random.js';

export const TaskClass = {
  reasoning: 'reasoning',
  code: 'code',
  chat: 'chat',
  summarization: 'summarization',
  classification: 'classification',
} as const;
export type TaskClass = (typeof TaskClass)[keyof typeof TaskClass];

/**
 * Mean quality score (0–1) per model × task class. ASSUMPTION throughout, anchored on seed 004's
 * cost/performance matrix, which gives Local Llama 3.1-8B 0.55 overall and maps task kinds to
 * tiers (complex reasoning → top models; summarization, classification → small ones). The other
 * rows follow the models' relative size and published leaderboard order, not a measurement.
 */
export const QUALITY_MATRIX: Readonly<Record<ModelId, Readonly<Record<TaskClass, number>>>> = {
  'llama-3.1-8b': { reasoning: 0.45, code: 0.5, chat: 0.55, summarization: 0.6, classification: 0.65 },
  'qwen2.5-7b': { reasoning: 0.5, code: 0.58, chat: 0.57, summarization: 0.62, classification: 0.67 },
  'mixtral-8x7b': { reasoning: 0.52, code: 0.55, chat: 0.6, summarization: 0.65, classification: 0.7 },
  'qwen2.5-32b': { reasoning: 0.68, code: 0.74, chat: 0.72, summarization: 0.75, classification: 0.8 },
  'llama-3.1-70b': { reasoning: 0.72, code: 0.72, chat: 0.78, summarization: 0.8, classification: 0.84 },
};

/** Score changes from precision. ASSUMED: FP8 W8A8 within ~0.5%, 4-bit AWQ/GPTQ ~2%, FP8 KV ~0.3%. */
export interface QualityDeltas {
  weightFp8: number;
  weightInt4: number;
  kvFp8: number;
}
export const DEFAULT_QUALITY_DELTAS: QualityDeltas = { weightFp8: -0.005, weightInt4: -0.02, kvFp8: -0.003 };

export interface QualityOptions {
  seed?: number;
  /** Standard deviation of one request's score around the mean (assumed 0.05). */
  noiseSd?: number;
  deltas?: Partial<QualityDeltas>;
}

export interface Precision {
  weightDtype?: WeightDtype;
  kvCacheDtype?: KvCacheDtype;
}

export interface QualityModel {
  expected(model: ModelId, task: TaskClass, precision?: Precision): number;
  /** One request's score: the mean plus seeded noise, clipped to [0, 1]. */
  sample(model: ModelId, task: TaskClass, precision?: Precision): number;
}

export function createQualityModel(options: QualityOptions = {}): QualityModel {
  const rng = createRng(options.seed ?? 0).fork('quality');
  const noiseSd = options.noiseSd ?? 0.05;
  if (!(noiseSd >= 0)) throw invalidField('noiseSd', 'non_negative', `must be ≥ 0, got ${noiseSd}`);
  const deltas = { ...DEFAULT_QUALITY_DELTAS, ...options.deltas };
  const expected = (model: ModelId, task: TaskClass, precision: Precision = {}): number => {
    const row = (QUALITY_MATRIX as Record<string, Record<string, number> | undefined>)[model];
    if (!row) throw invalidField('model', 'known_model', `no quality row for '${model}'`);
    const base = row[task];
    if (base === undefined) throw invalidField('task', 'one_of', `must be one of ${Object.keys(TaskClass).join(', ')}`);
    let score = base;
    if (precision.weightDtype === 'fp8') score += deltas.weightFp8;
    if (precision.weightDtype === 'int4') score += deltas.weightInt4;
    if (precision.kvCacheDtype === 'fp8') score += deltas.kvFp8;
    return score;
  };
  return {
    expected,
    sample: (model, task, precision) => {
      const s = rng.normal(expected(model, task, precision), noiseSd);
      return Math.min(1, Math.max(0, s));
    },
  };
}
