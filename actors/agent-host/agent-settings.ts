import { z } from 'zod';
import { DEFAULT_LLM, DEFAULT_TIMING, DEFAULT_WINDOWS, type AgentTiming, type LlmConfig } from '../agent/index.js';

const ms = (def: number) => z.coerce.number().int().positive().default(def);

/** Agent settings from the environment (OI_AGENT_*, OI_LLM_*); every window and delay is event time. */
const schema = z.object({
  OI_AGENT_INTERVAL_MS: ms(DEFAULT_WINDOWS.intervalMs).describe('telemetry interval the agents aggregate over'),
  OI_AGENT_WINDOW_MS: ms(DEFAULT_WINDOWS.windowMs).describe('rolling window of raw samples'),
  OI_AGENT_HISTORY_POINTS: ms(DEFAULT_WINDOWS.historyPoints).describe('intervals of history kept for forecasts'),
  OI_AGENT_CADENCE_MS: ms(DEFAULT_TIMING.cadenceMs).describe('an idle agent analyses at most this often'),
  OI_AGENT_PROPOSAL_TTL_MS: ms(DEFAULT_TIMING.proposalTtlMs).describe('how long a proposal waits for its verdict'),
  OI_AGENT_DECISION_DELAY_MS: ms(DEFAULT_TIMING.decisionDelayMs).describe('modelled decision latency'),
  OI_AGENT_DECISION_WAIT_MS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(DEFAULT_TIMING.decisionWaitMs)
    .describe('wall time an agent waits for a verdict once the delay passed (lockstep replays)'),
  OI_AGENT_CHECKPOINT_MAX_AGE_MS: ms(7 * 86_400_000).describe('checkpoints older than this are pruned'),
  OI_LLM_BASE_URL: z.string().default('').describe('OpenAI-compatible endpoint; empty = api.openai.com'),
  OI_LLM_MODEL: z.string().min(1).default(DEFAULT_LLM.model),
  OI_LLM_TIMEOUT_MS: ms(DEFAULT_LLM.timeoutMs),
  OI_LLM_TOKENS_PER_DAY: ms(DEFAULT_LLM.tokenBudgetPerDay).describe('token budget per workload per day'),
});

export interface AgentSettings {
  timing: AgentTiming;
  llm: Omit<LlmConfig, 'apiKey'>;
  checkpointMaxAgeMs: number;
}

/** Reads the settings; throws naming the variable and the rule. */
export function agentSettings(env: NodeJS.ProcessEnv): AgentSettings {
  const r = schema.safeParse(env);
  if (!r.success) {
    throw new Error(`agent settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = r.data;
  return {
    timing: {
      windows: {
        intervalMs: e.OI_AGENT_INTERVAL_MS,
        windowMs: e.OI_AGENT_WINDOW_MS,
        historyPoints: e.OI_AGENT_HISTORY_POINTS,
      },
      cadenceMs: e.OI_AGENT_CADENCE_MS,
      proposalTtlMs: e.OI_AGENT_PROPOSAL_TTL_MS,
      decisionDelayMs: e.OI_AGENT_DECISION_DELAY_MS,
      decisionWaitMs: e.OI_AGENT_DECISION_WAIT_MS,
    },
    llm: {
      ...DEFAULT_LLM,
      ...(e.OI_LLM_BASE_URL ? { baseUrl: e.OI_LLM_BASE_URL } : {}),
      model: e.OI_LLM_MODEL,
      timeoutMs: e.OI_LLM_TIMEOUT_MS,
      tokenBudgetPerDay: e.OI_LLM_TOKENS_PER_DAY,
    },
    checkpointMaxAgeMs: e.OI_AGENT_CHECKPOINT_MAX_AGE_MS,
  };
}
