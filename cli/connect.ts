import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectBus, type Bus } from '../bus/index.js';
import { loadConfig } from '../config/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The operator name `optiinfra up` creates credentials for: the login name, as a subject token. */
export function localOperator(): string {
  const name = (process.env.USER ?? process.env.LOGNAME ?? 'local').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48);
  return name || 'local';
}

/**
 * The CLI's bus connection, from the same OI_* variables every process reads. Without
 * OI_NATS_USER or OI_NATS_URL (i.e. talking to the local `npm start`), the operator credentials
 * `optiinfra up` wrote for this login are used when they exist, so `npx optiinfra status` works
 * beside `npm start` as the README shows.
 */
export async function cliBus(name: string): Promise<Bus> {
  const config = loadConfig();
  let auth = config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : undefined;
  if (!auth && !process.env.OI_NATS_URL) {
    const user = `op-${localOperator()}`;
    const file = join(ROOT, '.oi-run', 'creds', `${user}.pass`);
    if (existsSync(file)) auth = { user, pass: readFileSync(file, 'utf8').trim() };
  }
  return connectBus({ servers: config.natsUrl, name, asyncTraces: true, ...(auth ?? {}) });
}

export function callerIdentity(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}
