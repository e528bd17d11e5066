/**
 * M/M/c queueing (Erlang C): replicas as c servers of rate μ each. A batching engine is not
 * exactly M/M/c, but the shape — waits that explode as utilisation nears 1 — is what a planner
 * that models only service time misses (ai-dynamo/dynamo issue #10528).
 */

/** Probability an arrival waits, for c servers and offered load a = λ/μ (a < c). */
export function erlangC(c: number, a: number): number {
  if (a <= 0) return 0;
  if (a >= c) return 1;
  // Erlang B by the stable recurrence, then C from B
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho + rho * b);
}

/** Mean wait in queue, seconds; Infinity when the servers cannot keep up. */
export function meanWaitS(c: number, lambdaPerS: number, muPerS: number): number {
  if (lambdaPerS <= 0) return 0;
  if (c <= 0 || muPerS <= 0 || lambdaPerS >= c * muPerS) return Infinity;
  return erlangC(c, lambdaPerS / muPerS) / (c * muPerS - lambdaPerS);
}

/**
 * Fewest replicas (≥ 1) that keep utilisation ≤ `maxUtil` and the mean queueing wait ≤ `maxWaitS`
 * for arrival rate λ; `limit` bounds the search.
 */
export function replicasFor(
  lambdaPerS: number,
  muPerS: number,
  maxUtil: number,
  maxWaitS: number,
  limit = 10_000
): number {
  if (lambdaPerS <= 0) return 1;
  for (let c = 1; c <= limit; c++) {
    if (lambdaPerS / (c * muPerS) <= maxUtil && meanWaitS(c, lambdaPerS, muPerS) <= maxWaitS) return c;
  }
  return limit;
}
