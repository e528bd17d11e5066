import type { EvidenceItem } from '../../../schemas/index.js';
import { round } from './stats.js';

/** Erlang-C wait as evidence; past saturation the queue grows without bound, so say utilisation instead. */
export function waitEvidence(waitS: number, budgetS: number, utilisation: number): EvidenceItem {
  return Number.isFinite(waitS)
    ? {
        metric: 'Erlang-C mean queue wait',
        value: round(waitS * 1000),
        unit: 'ms',
        note: `budget ${round(budgetS * 1000)} ms`,
      }
    : {
        metric: 'offered load / capacity',
        value: round(utilisation, 3),
        unit: 'ratio',
        note: 'above 1: the queue grows without bound (Erlang C)',
      };
}
