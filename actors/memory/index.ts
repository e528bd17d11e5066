/**
 * The learning memory (DESIGN.md "Data"): every verified outcome as (situation features
 * normalised to a vector, action, predicted vs measured impact), and the k most similar past
 * cases for a new situation. PostgreSQL + pgvector by default, Qdrant for production; both pass
 * `memory.conformance.ts`. `adjustConfidence` turns similar cases into a confidence shift.
 */
export { FEATURES, FEATURE_DIM, featureVector, l2, similarityOf, situationOf } from './features.js';
export type { FeatureName, SituationFeatures } from './features.js';
export { MAX_SIMILAR, checkK, checkOutcome } from './outcome-memory.js';
export type { ImpactFigures, OutcomeFilter, OutcomeMemory, OutcomeRecord, SimilarOutcome } from './outcome-memory.js';
export { PgvectorOutcomeMemory } from './pgvector-memory.js';
export { QdrantOutcomeMemory } from './qdrant-memory.js';
export { MAX_REALISED, PRIOR_WEIGHT, adjustConfidence, realisedShare } from './adjust-confidence.js';
export { agentMemory, observationAt, outcomeRecordOf, withSimilarCases } from './agent-memory.js';
export type { AgentMemoryOptions, OutcomeInput } from './agent-memory.js';
