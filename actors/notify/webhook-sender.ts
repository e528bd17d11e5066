import { silentLogger, type Logger } from '../../config/index.js';
import { slackPayload, type Notification } from './notification.js';
import type { WebhookConfig } from './webhook-config.js';

export interface SenderStats {
  sent: number;
  retries: number;
  failed: number;
  dropped: number;
}

interface Queue {
  hook: WebhookConfig;
  items: Notification[];
  running: boolean;
}

export interface WebhookSenderOptions {
  logger?: Logger;
  /** Waiting notifications per webhook; beyond it the oldest is dropped (and counted). */
  maxQueue?: number;
  /** Delay before retry n (1-based); default 200 ms doubling, with jitter, capped at 30 s. */
  backoffMs?: (retry: number) => number;
}

const defaultBackoff = (n: number): number => Math.min(30_000, 200 * 2 ** (n - 1)) * (0.75 + Math.random() / 2);

/**
 * Posts notifications to webhooks, one queue per webhook, retrying 429, 5xx and network
 * failures with backoff. `send` only enqueues: a slow or failing receiver never holds up
 * the caller.
 */
export class WebhookSender {
  readonly stats: SenderStats = { sent: 0, retries: 0, failed: 0, dropped: 0 };
  readonly #queues: Queue[];
  readonly #logger: Logger;
  readonly #maxQueue: number;
  readonly #backoff: (retry: number) => number;
  readonly #running = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(hooks: readonly WebhookConfig[], opts: WebhookSenderOptions = {}) {
    this.#queues = hooks.map((hook) => ({ hook, items: [], running: false }));
    this.#logger = opts.logger ?? silentLogger;
    this.#maxQueue = opts.maxQueue ?? 1_000;
    this.#backoff = opts.backoffMs ?? defaultBackoff;
  }

  /** Queues `n` for every webhook configured for its event; returns at once. */
  send(n: Notification): void {
    if (this.#stopped) return;
    for (const q of this.#queues) {
      if (!q.hook.events.includes(n.event)) continue;
      q.items.push(n);
      if (q.items.length > this.#maxQueue) {
        const lost = q.items.shift();
        this.stats.dropped++;
        this.#logger.warn({ url: redact(q.hook.url), id: lost?.id }, 'notify queue full; oldest dropped');
      }
      if (!q.running) this.#drain(q);
    }
  }

  /** Resolves once every queue is empty (for tests and graceful stop). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.all([...this.#running]);
  }

  /** Drops what waits and cuts calls in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const q of this.#queues) q.items.length = 0;
    this.#abort.abort();
    await this.idle();
  }

  #drain(q: Queue): void {
    q.running = true;
    const p = (async () => {
      while (q.items.length && !this.#stopped) {
        await this.#deliver(q.hook, q.items[0]!);
        q.items.shift();
      }
    })()
      .catch((err: unknown) => this.#logger.error({ err }, 'notify queue failed'))
      .finally(() => {
        q.running = false;
        this.#running.delete(p);
        if (q.items.length && !this.#stopped) this.#drain(q);
      });
    this.#running.add(p);
  }

  async #deliver(hook: WebhookConfig, n: Notification): Promise<void> {
    const body = JSON.stringify(slackPayload(n));
    for (let attempt = 1; attempt <= hook.attempts; attempt++) {
      let retryable = true;
      let why: string;
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-oi-notification-id': n.id },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(hook.timeoutMs), this.#abort.signal]),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.stats.sent++;
          return;
        }
        retryable = res.status === 429 || res.status >= 500;
        why = `HTTP ${res.status}`;
      } catch (err) {
        why = (err as Error).message;
      }
      if (!retryable || attempt === hook.attempts || this.#stopped) {
        this.stats.failed++;
        this.#logger.warn({ url: redact(hook.url), id: n.id, attempt, why }, 'webhook call given up');
        return;
      }
      this.stats.retries++;
      await new Promise((r) => setTimeout(r, this.#backoff(attempt)));
    }
  }
}

/** Webhook URLs carry their secret in the path (Slack): log the origin only. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[invalid url]';
  }
}
