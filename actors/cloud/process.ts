import { connectBus } from '../../bus/index.js';
import type { Logger, ProcessConfig } from '../../config/index.js';
import { NatsCloudProvider } from '../../sim/index.js';
import { openPostgres } from '../../stores/index.js';
import { CloudExecutor } from './cloud-executor.js';

/**
 * The cloud-executor process (`optiinfra serve executor`). Its provider is the cloud-provider
 * service on NATS (`oi.v1.cmd.cloud.*`): the simulator's today; a real provider's adapter
 * serves the same subjects.
 */
export async function runExecutor(config: ProcessConfig, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const bus = await connectBus({
    servers: config.natsUrl,
    name: 'oi-cloud-executor',
    logger,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  const db = openPostgres({ url: config.pgUrl, logger, applicationName: 'oi-cloud-executor' });
  const executor = new CloudExecutor({
    bus,
    db,
    provider: new NatsCloudProvider(bus.nc, { source: 'oi-cloud-executor', timeoutMs: 30_000 }),
    logger,
  });
  await executor.start();
  logger.info('cloud executor ready');
  return {
    stop: async () => {
      await executor.stop();
      await bus.drain();
      await db.close();
    },
  };
}
