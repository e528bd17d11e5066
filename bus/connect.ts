import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { silentLogger, type Logger } from '../config/index.js';
import { inboxPrefixFor, rememberConnectionUser } from './caller-identity.js';

export interface BusOptions {
  /** One URL or several (a cluster), comma-separated or as an array. */
  servers: string | string[];
  /** Client name: shows in the server's connection list and in the audit's caller identity. */
  name: string;
  logger?: Logger;
  user?: string;
  pass?: string;
  token?: string;
  /** Async stack traces cost ~half the publish rate (INFRA.md); keep them off on hot paths. */
  asyncTraces?: boolean;
  /** Timeout of JetStream API calls and publish acks, ms. */
  jsTimeoutMs?: number;
  /** TLS: a CA file to verify the server (and a client cert/key for mutual TLS). */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** A connection with its JetStream, manager and KV handles. */
export interface Bus extends AsyncDisposable {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly kvm: Kvm;
  readonly name: string;
  readonly logger: Logger;
  /** Finishes in-flight work and closes: subscriptions drain, pending publishes flush. */
  drain(): Promise<void>;
}

export function splitServers(servers: string | string[]): string[] {
  const list = Array.isArray(servers) ? servers : servers.split(',');
  return list.map((s) => s.trim()).filter(Boolean);
}

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const logger = opts.logger ?? silentLogger;
  const servers = splitServers(opts.servers);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 10_000,
      noAsyncTraces: !(opts.asyncTraces ?? false),
      // a user's replies and pull deliveries arrive under its own prefix, the only inbox it may read
      ...(opts.user ? { user: opts.user, pass: opts.pass, inboxPrefix: inboxPrefixFor(opts.user) } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.token ? { token: opts.token } : {}),
    });
  } catch (err) {
    throw new Error(
      `cannot reach NATS at ${servers.join(',')}: ${(err as Error).message}. Start the servers with \`npm start\` or set OI_NATS_URL`,
      { cause: err }
    );
  }
  if (opts.user) rememberConnectionUser(nc, opts.user);
  void watchStatus(nc, logger);
  const jsOpts = { timeout: opts.jsTimeoutMs ?? 5_000 };
  const js = jetstream(nc, jsOpts);
  const jsm = await jetstreamManager(nc, { ...jsOpts, checkAPI: false });
  const kvm = new Kvm(js);
  const drain = async (): Promise<void> => {
    if (nc.isClosed()) return;
    try {
      await nc.drain();
    } catch {
      await nc.close();
    }
  };
  return { nc, js, jsm, kvm, name: opts.name, logger, drain, [Symbol.asyncDispose]: drain };
}

async function watchStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case 'disconnect':
        logger.warn({ server: s.server }, 'nats disconnected; reconnecting');
        break;
      case 'reconnect':
        logger.info({ server: s.server }, 'nats reconnected');
        break;
      case 'error':
        logger.error({ err: s.error }, 'nats server error');
        break;
      case 'slowConsumer':
        logger.warn({ sub: s.sub.getSubject() }, 'nats slow consumer: messages are being dropped');
        break;
      default:
        break;
    }
  }
}
