import { connectBus } from '../../bus/index.js';
import type { Logger, ProcessConfig } from '../../config/index.js';
import {
  APP_TELEMETRY_TIERS,
  appTelemetryV1,
  costTelemetryV1,
  engineTelemetryV1,
  gpuTelemetryV1,
} from '../../schemas/index.js';
import { NatsCloudProvider } from '../../sim/index.js';
import { openPostgres } from '../../stores/index.js';
import {
  agentLogic,
  Explainer,
  openCheckpointer,
  postgresDecisions,
  postgresWorkloadState,
  pruneCheckpoints,
  registryContext,
  type AgentAnalyzers,
} from '../agent/index.js';
import { applicationAnalyzers } from '../application/index.js';
import { costAnalyzers } from '../cost/index.js';
import { newHostId, probeLogic, startActorHost, workloadRouter, type HostEffect } from '../host/index.js';
import { performanceAnalyzers } from '../performance/index.js';
import { agentMemory, PgvectorOutcomeMemory, withSimilarCases } from '../memory/index.js';
import { resourceAnalyzers } from '../resource/index.js';
import { PostgresSnapshotStore, type AnyActorLogic } from '../runtime/index.js';
import { agentSettings } from './agent-settings.js';

/** The four agents by the name OI_HOST_ACTORS uses. */
export const AGENT_ANALYZERS: Record<string, AgentAnalyzers> = {
  cost: costAnalyzers,
  performance: performanceAnalyzers,
  resource: resourceAnalyzers(),
  application: applicationAnalyzers(),
};

export interface AgentHostOptions {
  /** Where OI_AGENT_* and OI_LLM_* are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Analyzers built with other thresholds, by agent name (default AGENT_ANALYZERS). */
  analyzers?: Partial<Record<string, AgentAnalyzers>>;
}

/**
 * The actor-host process (`optiinfra serve host`) with the agents: each host runs the kinds in
 * OI_HOST_ACTORS for the partitions the supervisor gives it; prices come from the cloud-provider
 * service on NATS, workload specs from the registry, verdicts from PostgreSQL. Every verified
 * outcome goes to the learning memory (pgvector, `outcome_memory`), and each analysis sees the
 * agent's most similar past cases, which adjust its candidates' confidence.
 */
export async function runAgentHost(
  config: ProcessConfig,
  logger: Logger,
  opts: AgentHostOptions = {}
): Promise<{ stop(): Promise<void> }> {
  const known = ['probe', ...Object.keys(AGENT_ANALYZERS)];
  const unknown = config.hostActors.filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new Error(`OI_HOST_ACTORS names unknown kinds: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  const settings = agentSettings(opts.env ?? process.env);
  const hostId = config.hostId ?? newHostId();
  const bus = await connectBus({
    servers: config.natsUrl,
    name: `oi-host-${hostId}`,
    logger,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  const db = openPostgres({ url: config.pgUrl, logger, applicationName: `oi-host-${hostId}` });
  const agents = config.hostActors.filter((k) => k in AGENT_ANALYZERS);
  let logics: AnyActorLogic<HostEffect>[] = config.hostActors.includes('probe') ? [probeLogic] : [];
  let pruneTimer: NodeJS.Timeout | undefined;
  if (agents.length) {
    const checkpointer = await openCheckpointer(db);
    const source = `oi-host-${hostId}`;
    const provider = new NatsCloudProvider(bus.nc, { source });
    const context = registryContext({ nc: bus.nc, provider, source });
    const explainer = new Explainer(
      { ...settings.llm, ...(config.llmApiKey ? { apiKey: config.llmApiKey } : {}) },
      logger
    );
    const decisions = postgresDecisions(db);
    const state = postgresWorkloadState(db);
    const outcomes = new PgvectorOutcomeMemory(db);
    logics = [
      ...logics,
      ...agents.map(
        (k) =>
          agentLogic({
            analyzers: withSimilarCases(opts.analyzers?.[k] ?? AGENT_ANALYZERS[k]!),
            explainer,
            checkpointer,
            context,
            decisions,
            state,
            timing: settings.timing,
            memory: agentMemory(outcomes, AGENT_ANALYZERS[k]!.agent, { logger }),
          }) as AnyActorLogic<HostEffect>
      ),
    ];
    pruneTimer = setInterval(() => {
      pruneCheckpoints(db, settings.checkpointMaxAgeMs).catch((err: unknown) =>
        logger.warn({ err }, 'checkpoint pruning failed; retrying next hour')
      );
    }, 3_600_000);
    pruneTimer.unref();
  }
  const host = await startActorHost({
    bus,
    store: new PostgresSnapshotStore(db),
    logics,
    router: workloadRouter(config.hostActors),
    accept: [gpuTelemetryV1, engineTelemetryV1, appTelemetryV1, costTelemetryV1, ...APP_TELEMETRY_TIERS],
    hostId,
    leaseTtlMs: config.leaseTtlMs,
    logger: logger.child({ host: hostId }),
  });
  logger.info({ host: hostId, actors: config.hostActors, llm: explainerState(config) }, 'host ready');
  return {
    stop: async () => {
      clearInterval(pruneTimer);
      await host.stop();
      await bus.drain();
      await db.close();
    },
  };
}

function explainerState(config: ProcessConfig): string {
  return config.llmApiKey ? 'configured' : 'template explanations (OI_LLM_API_KEY unset)';
}
