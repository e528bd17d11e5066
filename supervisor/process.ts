import { connectBus, defaultTopology, provision } from '../bus/index.js';
import { migrateClickHouse, migratePostgres, openClickHouse, openPostgres } from '../stores/index.js';
import { redactUrl, type Logger, type ProcessConfig } from '../config/index.js';
import { startWorkloadService } from './workloads/workload-service.js';
import { startPlacement } from './placement/placement-loop.js';
import { startStatusService } from './status-service.js';
import { startArbitration } from './arbitration/arbitration-service.js';

export interface RunningProcess {
  stop(): Promise<void>;
}

/**
 * The supervisor process: provisions the bus, migrates the stores, then serves. Starting
 * several is safe: provisioning and migrations are idempotent and serialized, and command
 * services share the load through their queue group.
 */
export async function runSupervisor(config: ProcessConfig, logger: Logger): Promise<RunningProcess> {
  const bus = await connectBus({
    servers: config.natsUrl,
    name: 'oi-supervisor',
    logger,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  const report = await provision(
    bus.jsm,
    bus.kvm,
    defaultTopology({ partitions: config.partitions, replicas: config.streamReplicas, ackWaitMs: config.ackWaitMs })
  );
  logger.info(
    { created: report.created.length, updated: report.updated, unchanged: report.unchanged.length },
    'bus provisioned'
  );

  const db = openPostgres({ url: config.pgUrl, logger, applicationName: 'oi-supervisor' });
  const pg = await migratePostgres(db, { logger });
  logger.info({ applied: pg.applied, version: pg.current, url: redactUrl(config.pgUrl) }, 'postgres migrated');

  const ch = await openClickHouse({
    url: config.clickhouseUrl,
    database: config.clickhouseDb,
    username: config.clickhouseUser,
    password: config.clickhousePassword,
    logger,
  });
  const chm = await migrateClickHouse(ch, { logger });
  logger.info({ applied: chm.applied, version: chm.current }, 'clickhouse migrated');

  const workloads = await startWorkloadService({ bus, db, logger, outboxIntervalMs: config.outboxIntervalMs });
  const candidate = `sup-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const placement = await startPlacement({
    bus,
    partitions: config.partitions,
    leaseTtlMs: config.leaseTtlMs,
    candidate,
    logger,
  });
  const status = await startStatusService({
    bus,
    partitions: config.partitions,
    leaseTtlMs: config.leaseTtlMs,
    logger,
  });
  const arbitration = await startArbitration({
    bus,
    db,
    candidate,
    leaseTtlMs: config.leaseTtlMs,
    windowMs: config.arbitrationWindowMs,
    lockTtlMs: config.lockTtlMs,
    approvalTtlMs: config.approvalTtlMs,
    clock: config.arbitrationClock,
    tickMs: config.arbitrationTickMs,
    ackWaitMs: config.ackWaitMs,
    logger,
  });
  logger.info({ candidate, leader: placement.isLeader() }, 'supervisor ready');
  return {
    stop: async () => {
      await status.stop();
      await arbitration.stop();
      await placement.stop();
      await workloads.stop();
      await bus.drain();
      await ch.close();
      await db.close();
    },
  };
}
