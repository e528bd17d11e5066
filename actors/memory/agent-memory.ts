import type { AgentKind } from '../../schemas/index.js';
import type { Logger } from '../../config/index.js';
import type { AgentAnalyzers, AgentDeps, Observation } from '../agent/index.js';
import { adjustConfidence } from './adjust-confidence.js';
import { situationOf, type SituationFeatures } from './features.js';
import type { OutcomeMemory, OutcomeRecord } from './outcome-memory.js';

type MemoryHook = NonNullable<AgentDeps['memory']>;
/** What the graph's learn step hands over; `strategy` and `decidedAt` where the graph passes them. */
export type OutcomeInput = Parameters<MemoryHook['record']>[0] & { strategy?: string; decidedAt?: number };

export interface AgentMemoryOptions {
  /** Past cases retrieved per analysis (default 5). */
  k?: number;
  logger?: Logger;
}

/**
 * The observation as it stood when the proposal was made (the baseline's event time): the
 * situation a future case is compared with is the one that prompted the change, not the one
 * the change produced. Falls back to the whole observation when its history starts later.
 */
export function observationAt(obs: Observation, at: number): Observation {
  const history = obs.history.filter((p) => p.ts <= at);
  if (history.length === 0) return obs;
  const upTo = <T extends { ts: number }>(xs: readonly T[] | undefined): T[] => (xs ?? []).filter((s) => s.ts <= at);
  return {
    ...obs,
    now: at,
    history,
    engine: upTo(obs.engine),
    gpu: upTo(obs.gpu),
    cost: upTo(obs.cost),
    app: upTo(obs.app),
    ...(obs.appTiers ? { appTiers: upTo(obs.appTiers) } : {}),
  };
}

/**
 * A verified episode as an outcome record: the situation at proposal time (`situation` when it
 * was captured then, else rebuilt from the observation's history), predicted vs measured.
 */
export function outcomeRecordOf(
  agent: AgentKind,
  o: OutcomeInput,
  situation?: SituationFeatures
): OutcomeRecord | undefined {
  if (!o.obs && !situation) return undefined;
  const p = o.proposal;
  const measured: OutcomeRecord['measured'] = { usd_per_month: o.judgement.measuredUsdPerMonth };
  return {
    id: p.proposal_id,
    workload: p.workload,
    agent,
    strategy: o.strategy ?? `${agent}.${p.action.kind}`,
    action: p.action,
    features: situation ?? situationOf(observationAt(o.obs!, o.baseline.ts)),
    predicted: { ...p.expected_impact },
    measured,
    kept: o.judgement.outcome === 'kept',
    decidedAt: o.decidedAt ?? o.baseline.ts,
  };
}

/**
 * The agent framework's memory hook over an OutcomeMemory: `record` stores every verified
 * outcome (idempotent by proposal id) under the situation its proposal was made in, `similar`
 * returns the k nearest past cases of this agent for the present situation. An episode finished
 * by another host after a failover is recorded under the situation rebuilt from history
 * (`observationAt`: intervals exact, raw-window figures such as prefix hit rate may be missing).
 * A failed lookup is logged and costs only the adjustment.
 */
export function agentMemory(store: OutcomeMemory, agent: AgentKind, o: AgentMemoryOptions = {}): MemoryHook {
  const k = o.k ?? 5;
  // the situation each workload's latest analysis saw: a proposal is made from that very
  // analysis, and its raw windows are gone by the time the outcome is verified
  const seen = new Map<string, { at: number; features: SituationFeatures }>();
  return {
    async record(input) {
      const i = input as OutcomeInput;
      const at = seen.get(i.proposal.workload);
      const rec = outcomeRecordOf(agent, i, at?.at === i.baseline.ts ? at.features : undefined);
      if (rec) await store.record(rec);
    },
    async similar(obs) {
      const features = situationOf(obs);
      seen.set(obs.workload, { at: obs.now, features });
      try {
        return await store.similar(features, k, { agent });
      } catch (err) {
        o.logger?.warn({ err, agent, workload: obs.workload }, 'similar-case lookup failed; confidence not adjusted');
        return [];
      }
    },
  };
}

/** Analyzers whose candidates' confidence is adjusted by the similar past cases in the observation. */
export function withSimilarCases(analyzers: AgentAnalyzers): AgentAnalyzers {
  return {
    agent: analyzers.agent,
    analyze(obs) {
      const cases = obs.similarCases ?? [];
      const cs = analyzers.analyze(obs);
      return cases.length ? cs.map((c) => adjustConfidence(c, cases)) : cs;
    },
  };
}
