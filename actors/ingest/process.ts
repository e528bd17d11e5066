import { setTimeout as sleep } from 'node:timers/promises';
import { connectBus, provision, type Bus } from '../../bus/index.js';
import { migrateClickHouse, openClickHouse, openPostgres, type Postgres } from '../../stores/index.js';
import type { Logger, ProcessConfig } from '../../config/index.js';
import { ContentVault, TIER3_KEY_ENV, tier3KeyFromEnv } from '../application/content-vault.js';
import { ingestConsumerSpecs } from './ingest-sources.js';
import { newIngestId, startIngester } from './ingester.js';
import { startReportService } from './report-service.js';

/**
 * Creates the ingest consumers (idempotent; a running consumer keeps its position), waiting
 * for the supervisor to have provisioned the streams. Ingest owns these consumers, so their
 * limits follow its batch size, not the agents' topology.
 */
async function provisionConsumers(bus: Bus, config: ProcessConfig, logger: Logger): Promise<void> {
  const consumers = ingestConsumerSpecs({
    partitions: config.partitions,
    // one batch filling while the previous one is inserted
    maxAckPending: 2 * config.ingestBatchSize,
    ackWaitMs: config.ackWaitMs,
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await bus.jsm.streams.info('OI_TEL');
      await bus.kvm.open('oi_leases');
      const report = await provision(bus.jsm, bus.kvm, {
        partitions: config.partitions,
        streams: [],
        consumers,
        kv: [],
      });
      logger.info({ created: report.created.length, updated: report.updated }, 'ingest consumers provisioned');
      return;
    } catch (err) {
      if (attempt % 10 === 0) logger.warn({ err }, 'streams not provisioned yet (is the supervisor up?); waiting');
      await sleep(1_000);
    }
  }
}

/** The ingest process (`optiinfra serve ingest`); run two or more, they share the consumers. */
export async function runIngest(config: ProcessConfig, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const id = config.ingestId ?? newIngestId();
  const log = logger.child({ ingester: id });
  const bus = await connectBus({
    servers: config.natsUrl,
    name: `oi-ingest-${id}`,
    logger: log,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  const ch = await openClickHouse({
    url: config.clickhouseUrl,
    database: config.clickhouseDb,
    username: config.clickhouseUser,
    password: config.clickhousePassword,
    logger: log,
  });
  // ingest writes these tables, so it does not wait for the supervisor to create them
  const migrated = await migrateClickHouse(ch, { logger: log });
  log.info({ applied: migrated.applied, version: migrated.current }, 'clickhouse migrated');
  await provisionConsumers(bus, config, log);
  // tier-3 content is kept only encrypted in PostgreSQL; without a key ingest stores none of it
  const key = config.tier3Key ? tier3KeyFromEnv({ [TIER3_KEY_ENV]: config.tier3Key }) : undefined;
  const db: Postgres | undefined = key
    ? openPostgres({ url: config.pgUrl, logger: log, applicationName: `oi-ingest-${id}` })
    : undefined;
  const ingester = await startIngester({
    bus,
    ch,
    partitions: config.partitions,
    ingestId: id,
    leaseTtlMs: config.leaseTtlMs,
    batchSize: config.ingestBatchSize,
    batchMs: config.ingestBatchMs,
    lagIntervalMs: config.ingestLagIntervalMs,
    logger: log,
    ...(db ? { contentStore: new ContentVault(db, key) } : {}),
  });
  const reports = await startReportService({ bus, ch, source: `ingest:${id}`, logger: log });
  log.info({ batchSize: config.ingestBatchSize, batchMs: config.ingestBatchMs }, 'ingest ready');
  return {
    stop: async () => {
      await reports.stop();
      await ingester.stop();
      await bus.drain();
      await ch.close();
      await db?.close();
    },
  };
}
