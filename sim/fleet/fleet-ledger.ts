import type { FinishedRequest } from '../engine/index.js';
import type { SimRequest } from '../trace/index.js';

export interface FleetSummary {
  simSec: number;
  requestsDone: number;
  /** Finished within the SLO (TTFT and mean time per output token, both from the user's arrival). */
  requestsInSlo: number;
  /** Share of finished + dropped requests that met the SLO; a dropped request is a miss. */
  sloAttainment: number;
  dropped: number;
  retries: number;
  interruptions: number;
  costUsd: number;
  ttftP50Sec: number;
  ttftP99Sec: number;
  meanLatencySec: number;
  outputTokens: number;
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;

/** The request log of a fleet run: what users saw, from their original arrival time. */
export class FleetLedger {
  readonly #ttft: number[] = [];
  #latencySum = 0;
  #done = 0;
  #inSlo = 0;
  #dropped = 0;
  #retries = 0;
  #interruptions = 0;
  #tokens = 0;
  readonly droppedReasons = new Map<string, number>();

  constructor(private readonly slo: { ttftSec: number; tpotSec: number }) {}

  finished(request: SimRequest, f: FinishedRequest): void {
    // a retry started later than the user's request: the wait counts against it
    const lateSec = f.arrivalSec - request.arrivalSec;
    const ttft = f.ttftSec + lateSec;
    const e2e = f.e2eSec + lateSec;
    this.#ttft.push(ttft);
    this.#latencySum += e2e;
    this.#done++;
    this.#tokens += f.outputTokens;
    if (ttft <= this.slo.ttftSec && f.meanTimePerOutputTokenSec <= this.slo.tpotSec && f.finishReason !== 'abort') {
      this.#inSlo++;
    }
  }

  dropped(_request: SimRequest, reason: string): void {
    this.#dropped++;
    this.droppedReasons.set(reason, (this.droppedReasons.get(reason) ?? 0) + 1);
  }

  retried(): void {
    this.#retries++;
  }

  interruption(_node: string, _atSec: number): void {
    this.#interruptions++;
  }

  summary(simSec: number, costUsd: number): FleetSummary {
    const sorted = [...this.#ttft].sort((a, b) => a - b);
    const judged = this.#done + this.#dropped;
    return {
      simSec,
      requestsDone: this.#done,
      requestsInSlo: this.#inSlo,
      sloAttainment: judged ? this.#inSlo / judged : 1,
      dropped: this.#dropped,
      retries: this.#retries,
      interruptions: this.#interruptions,
      costUsd,
      ttftP50Sec: quantile(sorted, 0.5),
      ttftP99Sec: quantile(sorted, 0.99),
      meanLatencySec: this.#done ? this.#latencySum / this.#done : 0,
      outputTokens: this.#tokens,
    };
  }
}
