import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Give up once this much time has passed since the first attempt. */
  deadlineMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/**
 * Errors a JetStream cluster gives while it elects a stream leader or while the client
 * reconnects (INFRA.md: 3.5-6.6 s of them after a leader dies). Retrying is safe because
 * every publish carries a Nats-Msg-Id the stream deduplicates on.
 */
export function isTransientNatsError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  const text =
    `${err.name} ${err.message} ${typeof code === 'string' || typeof code === 'number' ? code : ''}`.toLowerCase();
  return [
    'timeout',
    'no responders',
    'jetstream is not enabled',
    'jetstream not enabled',
    'disconnect',
    'connection closed',
    'connection draining',
    'stream leader',
    'no suitable peers',
    'temporarily unavailable',
    'insufficient resources',
    'cluster',
    '503',
  ].some((needle) => text.includes(needle));
}

/** Runs `fn` until it succeeds, a non-retryable error occurs or the deadline passes. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.deadlineMs ?? 30_000);
  const isRetryable = opts.isRetryable ?? isTransientNatsError;
  let delay = opts.initialDelayMs ?? 50;
  const maxDelay = opts.maxDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryable(err) || Date.now() + delay > deadline || opts.signal?.aborted) throw err;
      // full jitter keeps a fleet of publishers from retrying in lockstep
      const wait = Math.round(delay / 2 + (Math.random() * delay) / 2);
      opts.onRetry?.(err, attempt, wait);
      await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : undefined);
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}
