import { connectBus } from '../../bus/index.js';
import type { Logger, ProcessConfig } from '../../config/index.js';
import { startNotify } from './notify-service.js';
import { parseWebhooks } from './webhook-config.js';

/** The notify process (`optiinfra serve notify`); replicas share its consumer. */
export async function runNotify(config: ProcessConfig, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const webhooks = parseWebhooks(config.notifyWebhooks);
  const bus = await connectBus({
    servers: config.natsUrl,
    name: 'oi-notify',
    logger,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  const svc = await startNotify({ bus, webhooks, dlqCheckMs: config.notifyDlqCheckMs, logger });
  return {
    stop: async () => {
      await svc.stop();
      await bus.drain();
    },
  };
}
