import type { AgentAnalyzers, Candidate, Observation } from '../agent/analysis.js';
import { applicationConfig, type ApplicationConfig } from './application-config.js';
import { ragFindings, tokenEfficiencyFindings, type ApplicationFinding } from './application-findings.js';
import { contextSizingCandidate } from './context-sizing.js';
import { modelRoutingCandidate } from './model-routing.js';
import { prefixCachingCandidate } from './prefix-caching.js';
import { qualityRegressionCandidate } from './quality-regression.js';

/**
 * The application agent's analyzers (seed 000 §9.4): quality regression first (it may undo the
 * last change), then context right-sizing, model routing and caching. Pure and deterministic.
 */
export function applicationAnalyzers(over: Partial<ApplicationConfig> = {}): AgentAnalyzers {
  const cfg = applicationConfig(over);
  return {
    agent: 'application',
    analyze: (obs: Observation): Candidate[] =>
      [
        qualityRegressionCandidate(obs, cfg),
        contextSizingCandidate(obs, cfg),
        modelRoutingCandidate(obs, cfg),
        prefixCachingCandidate(obs, cfg),
      ].filter((c): c is Candidate => c !== undefined),
  };
}

/** What the application should change itself (prompts, retrieval): reported, not executed. */
export function applicationFindings(obs: Observation, over: Partial<ApplicationConfig> = {}): ApplicationFinding[] {
  const cfg = applicationConfig(over);
  return [...tokenEfficiencyFindings(obs, cfg), ...ragFindings(obs, cfg)];
}
