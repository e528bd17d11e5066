import type { PoolClient, Postgres } from '../../stores/index.js';
import type { Envelope } from '../../schemas/index.js';
import { publishEnvelope, type Bus } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';

/**
 * Transactional outbox: an event is written in the same transaction as the change it
 * announces and published after commit. A crash in between leaves it pending, and the
 * sweeper publishes it later; its envelope id makes a double publish a no-op in JetStream.
 */

export async function enqueueEvent(tx: PoolClient, subject: string, env: Envelope): Promise<void> {
  await tx.query('INSERT INTO outbox (id, subject, envelope) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
    env.id,
    subject,
    JSON.stringify(env),
  ]);
}

/** Publishes pending events, oldest first; returns how many went out. */
export async function flushOutbox(db: Postgres, bus: Bus, limit = 100): Promise<number> {
  const { rows } = await db.query<{ id: string; subject: string; envelope: Envelope }>(
    'SELECT id, subject, envelope FROM outbox WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1',
    [limit]
  );
  for (const row of rows) {
    await publishEnvelope(bus.js, row.subject, row.envelope, { retry: { deadlineMs: 10_000 } });
    await db.query('UPDATE outbox SET published_at = now() WHERE id = $1', [row.id]);
  }
  return rows.length;
}

/** Runs `flushOutbox` every `intervalMs` until stopped; errors are logged and retried. */
export function startOutboxSweeper(
  db: Postgres,
  bus: Bus,
  opts: { intervalMs: number; logger: Logger }
): { stop(): Promise<void>; kick(): void } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const run = (): void => {
    if (stopped) return;
    running = running
      .then(async () => {
        while (!stopped && (await flushOutbox(db, bus)) > 0) {
          /* drain in pages */
        }
      })
      .catch((err: unknown) => opts.logger.warn({ err }, 'outbox flush failed; will retry'));
  };
  timer = setInterval(run, opts.intervalMs);
  timer.unref();
  return {
    kick: run,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
