import { connectBus, type Bus } from '../bus/index.js';
import { loadConfig } from '../config/index.js';

/** The CLI's bus connection, from the same OI_* variables every process reads. */
export async function cliBus(name: string): Promise<Bus> {
  const config = loadConfig();
  return connectBus({
    servers: config.natsUrl,
    name,
    asyncTraces: true,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
}

export function callerIdentity(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}
