/**
 * One-for-one supervision (OTP, protoactor's OneForOneStrategy with exponential backoff): a
 * throwing actor is restarted after a growing pause, and stopped once it has been restarted
 * more than `maxRestarts` times within `periodMs`.
 */
export interface SupervisionOptions {
  /** Restarts allowed within `periodMs` before the actor is stopped; default 5. */
  maxRestarts?: number;
  /** Window of the restart count, and how long a stopped actor refuses deliveries; default 60_000. */
  periodMs?: number;
  /** Pause before the first restart in a window, doubled for each further one; default 10. */
  backoffInitialMs?: number;
  /** Ceiling of the pause; default 2_000. */
  backoffMaxMs?: number;
  /** Share of the pause taken off at random, so actors failing together retry apart; default 0.2. */
  jitter?: number;
  /** Source of the jitter; default Math.random. */
  random?: () => number;
}

export type SupervisionPolicy = Required<SupervisionOptions>;

export interface SupervisionReport {
  /** `kind:key` */
  actor: string;
  kind: 'restart' | 'stop';
  error: unknown;
  /** Restarts within the current window, this one included. */
  restarts: number;
  /** restart: the pause before retrying; stop: how long deliveries are refused. */
  delayMs: number;
}

export type Directive =
  { action: 'restart'; restarts: number; delayMs: number } | { action: 'stop'; restarts: number; delayMs: number };

export function supervisionPolicy(opts: SupervisionOptions = {}): SupervisionPolicy {
  const policy: SupervisionPolicy = {
    maxRestarts: opts.maxRestarts ?? 5,
    periodMs: opts.periodMs ?? 60_000,
    backoffInitialMs: opts.backoffInitialMs ?? 10,
    backoffMaxMs: opts.backoffMaxMs ?? 2_000,
    jitter: opts.jitter ?? 0.2,
    random: opts.random ?? Math.random,
  };
  if (policy.maxRestarts < 0 || policy.periodMs <= 0 || policy.jitter < 0 || policy.jitter > 1) {
    throw new RangeError('supervision: maxRestarts ≥ 0, periodMs > 0 and 0 ≤ jitter ≤ 1');
  }
  return policy;
}

/** The pause before restart number `n` (0-based) within a window. */
export function backoffMs(policy: SupervisionPolicy, n: number): number {
  const base = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** Math.min(n, 30));
  return Math.round(base * (1 - policy.jitter * policy.random()));
}

/**
 * Decides what a failure at `now` leads to. `history` holds the times of the actor's earlier
 * restarts (kept only for actors that failed); the returned one replaces it.
 */
export function onFailure(
  policy: SupervisionPolicy,
  history: readonly number[] | undefined,
  now: number
): { directive: Directive; history: number[] | undefined } {
  const recent = (history ?? []).filter((t) => t > now - policy.periodMs);
  if (recent.length >= policy.maxRestarts) {
    return {
      directive: { action: 'stop', restarts: recent.length, delayMs: policy.periodMs },
      history: undefined,
    };
  }
  const delayMs = backoffMs(policy, recent.length);
  recent.push(now);
  return { directive: { action: 'restart', restarts: recent.length, delayMs }, history: recent };
}
