import { connectBus } from '../../bus/index.js';
import { appTelemetryV1, costTelemetryV1, engineTelemetryV1, gpuTelemetryV1 } from '../../schemas/index.js';
import { openPostgres } from '../../stores/index.js';
import type { Logger, ProcessConfig } from '../../config/index.js';
import { PostgresSnapshotStore, type AnyActorLogic } from '../runtime/index.js';
import { newHostId, startActorHost } from './actor-host.js';
import type { HostEffect } from './effects.js';
import { probeLogic, workloadRouter } from './probe.js';

/** Actor kinds a host can run, by the name OI_HOST_ACTORS uses. */
export const ACTOR_KINDS: Record<string, AnyActorLogic<HostEffect>> = {
  probe: probeLogic,
};

/** The actor-host process; start as many as the load needs (the supervisor spreads partitions). */
export async function runHost(config: ProcessConfig, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const unknown = config.hostActors.filter((k) => !(k in ACTOR_KINDS));
  if (unknown.length) {
    throw new Error(
      `OI_HOST_ACTORS names unknown kinds: ${unknown.join(', ')} (known: ${Object.keys(ACTOR_KINDS).join(', ')})`
    );
  }
  const hostId = config.hostId ?? newHostId();
  const bus = await connectBus({
    servers: config.natsUrl,
    name: `oi-host-${hostId}`,
    logger,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  const db = openPostgres({ url: config.pgUrl, logger, applicationName: `oi-host-${hostId}` });
  const host = await startActorHost({
    bus,
    store: new PostgresSnapshotStore(db),
    logics: config.hostActors.map((k) => ACTOR_KINDS[k]!),
    router: workloadRouter(config.hostActors),
    accept: [gpuTelemetryV1, engineTelemetryV1, appTelemetryV1, costTelemetryV1],
    hostId,
    leaseTtlMs: config.leaseTtlMs,
    logger: logger.child({ host: hostId }),
  });
  logger.info({ host: hostId, actors: config.hostActors }, 'host ready');
  return {
    stop: async () => {
      await host.stop();
      await bus.drain();
      await db.close();
    },
  };
}
