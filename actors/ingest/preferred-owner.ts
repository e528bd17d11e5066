import { rendezvousScore } from '../../supervisor/index.js';

/**
 * The live ingest process that should own source `index`: highest rendezvous score, ties to
 * the smaller id. Every process computes the same answer from the same member list, and a
 * process joining or leaving moves only the sources it wins or held.
 */
export function preferredOwner(index: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const m of members) {
    const s = rendezvousScore(index, m);
    if (s > bestScore || (s === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}
