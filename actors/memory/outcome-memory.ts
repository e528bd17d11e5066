import {
  actionSpec,
  agentKind,
  describeIssues,
  issuesOf,
  type ActionKind,
  type ActionSpec,
  type AgentKind,
} from '../../schemas/index.js';
import type { SimilarCase } from '../agent/analysis.js';
import { featureVector, type SituationFeatures } from './features.js';

/** What a change was expected to do, and what verification measured. */
export interface ImpactFigures {
  usd_per_month: number;
  slo_attainment_delta?: number;
  gpu_memory_gib_delta?: number;
}

/** One verified outcome: the situation, the action, predicted vs measured impact. */
export interface OutcomeRecord {
  /** Unique per outcome (e.g. the proposal id): recording it again replaces it. */
  id: string;
  workload: string;
  agent: AgentKind;
  strategy: string;
  action: ActionSpec;
  /** Raw figures; the store keeps them and their normalised vector. */
  features: SituationFeatures;
  predicted: ImpactFigures;
  measured: ImpactFigures;
  /** True when verification kept the change; false when it was rolled back. */
  kept: boolean;
  /** Event time of the decision, ms. */
  decidedAt: number;
}

export interface OutcomeFilter {
  agent?: AgentKind;
  strategy?: string;
  actionKind?: ActionKind;
  workload?: string;
}

/** A past outcome near the present situation, nearest first. */
export interface SimilarOutcome extends SimilarCase {
  id: string;
  workload: string;
  agent: AgentKind;
  strategy: string;
  /** L2 distance between the normalised vectors. */
  distance: number;
  predicted: ImpactFigures;
  measured: ImpactFigures;
  decidedAt: number;
}

/** The learning memory: every store (pgvector, Qdrant) passes memory.conformance.ts. */
export interface OutcomeMemory {
  record(outcome: OutcomeRecord): Promise<void>;
  /** The `k` (1–100) nearest past outcomes matching `filter`, nearest first (ties by id). */
  similar(features: SituationFeatures, k: number, filter?: OutcomeFilter): Promise<SimilarOutcome[]>;
}

export const MAX_SIMILAR = 100;

export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_SIMILAR) {
    throw new Error(`similar: k must be an integer in [1, ${MAX_SIMILAR}], got ${k}`);
  }
}

/** Validates an outcome before it is stored; returns its normalised vector. Throws naming the field. */
export function checkOutcome(o: OutcomeRecord): number[] {
  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 200) {
    throw new Error('outcome id: must be a string of 1-200 characters');
  }
  if (!agentKind.safeParse(o.agent).success) throw new Error(`outcome agent: unknown agent ${String(o.agent)}`);
  const action = actionSpec.safeParse(o.action);
  if (!action.success) throw new Error(`outcome ${describeIssues(issuesOf(action.error, ['action']))}`);
  for (const side of ['predicted', 'measured'] as const) {
    if (!Number.isFinite(o[side]?.usd_per_month)) {
      throw new Error(`outcome ${side}.usd_per_month: must be a finite number`);
    }
  }
  if (!Number.isFinite(o.decidedAt)) throw new Error('outcome decidedAt: must be event time in ms');
  return featureVector(o.features);
}
