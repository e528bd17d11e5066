import { createRng, type Rng } from '../random.js';
import type { SimRequest } from './sim-request.js';

/** A lognormal token length: `median` = exp(μ), `sigma` = σ of ln(length), clipped to [1, max]. */
export interface LogNormalTokens {
  median: number;
  sigma: number;
  max: number;
}

export interface SyntheticTraceParams {
  durationSec: number;
  /** Mean arrival rate over a diurnal period, before bursts. */
  meanRatePerSec: number;
  /** Relative swing of the daily sinusoid in [0, 1]: rate = mean × (1 + a·cos(2π(t − peak)/period)). */
  diurnalAmplitude: number;
  diurnalPeriodSec: number;
  /** Seconds after the trace start when the sinusoid peaks. */
  diurnalPeakSec: number;
  /** Burst starts form a Poisson process at this rate; during a burst the rate is multiplied. */
  burstsPerHour: number;
  burstDurationSec: number;
  burstRateMultiplier: number;
  promptTokens: LogNormalTokens;
  outputTokens: LogNormalTokens;
  /** Share of requests that start with one of `groups` shared prefixes of `blocks` 512-token blocks. */
  sharedPrefix?: { groups: number; blocks: number; share: number };
  taskClass?: string;
  idPrefix?: string;
}

/** σ of a lognormal whose mean/median ratio is r: mean = median·exp(σ²/2). */
const sigmaFromMeanMedian = (mean: number, median: number): number => Math.sqrt(2 * Math.log(mean / median));

/**
 * Defaults shaped on the Azure LLM 2023 conversation trace (SOURCE.md, computed there: 19,366 requests over
 * 18:15:46 → 19:14:08 ≈ 5.5 req/s; ContextTokens mean 1155 / median 1020; GeneratedTokens mean 211 /
 * median 129). The diurnal swing and the bursts are assumptions: the trace spans one hour only.
 */
export const DEFAULT_SYNTHETIC_PARAMS: SyntheticTraceParams = {
  durationSec: 3600,
  meanRatePerSec: 19_366 / 3502,
  diurnalAmplitude: 0.5,
  diurnalPeriodSec: 86_400,
  diurnalPeakSec: 14 * 3600,
  burstsPerHour: 2,
  burstDurationSec: 60,
  burstRateMultiplier: 3,
  promptTokens: { median: 1020, sigma: sigmaFromMeanMedian(1155, 1020), max: 32_768 },
  outputTokens: { median: 129, sigma: sigmaFromMeanMedian(211, 129), max: 4096 },
  taskClass: 'conversation',
};

const BLOCK_TOKENS = 512;

function check(cond: boolean, field: string, rule: string): void {
  if (!cond) throw new Error(`synthetic trace: ${field} ${rule}`);
}

function validate(p: SyntheticTraceParams): void {
  check(Number.isFinite(p.durationSec) && p.durationSec > 0, 'durationSec', 'must be > 0');
  check(Number.isFinite(p.meanRatePerSec) && p.meanRatePerSec > 0, 'meanRatePerSec', 'must be > 0');
  check(p.diurnalAmplitude >= 0 && p.diurnalAmplitude <= 1, 'diurnalAmplitude', 'must be in [0, 1]');
  check(p.diurnalPeriodSec > 0, 'diurnalPeriodSec', 'must be > 0');
  check(p.burstsPerHour >= 0, 'burstsPerHour', 'must be >= 0');
  check(p.burstDurationSec >= 0, 'burstDurationSec', 'must be >= 0');
  check(p.burstRateMultiplier >= 1, 'burstRateMultiplier', 'must be >= 1');
  for (const f of ['promptTokens', 'outputTokens'] as const) {
    check(p[f].median >= 1, `${f}.median`, 'must be >= 1');
    check(p[f].sigma >= 0, `${f}.sigma`, 'must be >= 0');
    check(p[f].max >= 1, `${f}.max`, 'must be >= 1');
  }
  if (p.sharedPrefix) {
    check(
      Number.isInteger(p.sharedPrefix.groups) && p.sharedPrefix.groups >= 1,
      'sharedPrefix.groups',
      'must be an integer >= 1'
    );
    check(
      Number.isInteger(p.sharedPrefix.blocks) && p.sharedPrefix.blocks >= 1,
      'sharedPrefix.blocks',
      'must be an integer >= 1'
    );
    check(p.sharedPrefix.share >= 0 && p.sharedPrefix.share <= 1, 'sharedPrefix.share', 'must be in [0, 1]');
  }
}

function tokens(rng: Rng, t: LogNormalTokens): number {
  return Math.min(t.max, Math.max(1, Math.round(Math.exp(rng.normal(Math.log(t.median), t.sigma)))));
}

/** The instantaneous arrival rate at `tSec` for given burst windows (exposed for tests and plots). */
export function syntheticRateAt(p: SyntheticTraceParams, bursts: readonly number[], tSec: number): number {
  const diurnal = 1 + p.diurnalAmplitude * Math.cos((2 * Math.PI * (tSec - p.diurnalPeakSec)) / p.diurnalPeriodSec);
  const inBurst = bursts.some((s) => tSec >= s && tSec < s + p.burstDurationSec);
  return p.meanRatePerSec * diurnal * (inBurst ? p.burstRateMultiplier : 1);
}

/** Burst start times of a synthetic trace for a seed. */
export function syntheticBursts(p: SyntheticTraceParams, seed: number): number[] {
  const rng = createRng(seed).fork('bursts');
  const starts: number[] = [];
  if (p.burstsPerHour <= 0) return starts;
  for (
    let t = rng.exponential(3600 / p.burstsPerHour);
    t < p.durationSec;
    t += rng.exponential(3600 / p.burstsPerHour)
  ) {
    starts.push(t);
  }
  return starts;
}

/**
 * A non-homogeneous Poisson arrival process (diurnal sinusoid × bursts, by thinning at the peak rate)
 * with lognormal prompt and output lengths; identical for the same parameters and seed.
 */
export function* generateSyntheticTrace(params: Partial<SyntheticTraceParams>, seed: number): Generator<SimRequest> {
  const p: SyntheticTraceParams = { ...DEFAULT_SYNTHETIC_PARAMS, ...params };
  validate(p);
  const root = createRng(seed);
  const arrivals = root.fork('arrivals');
  const lengths = root.fork('tokens');
  const prefixes = root.fork('prefixes');
  const bursts = syntheticBursts(p, seed);
  const peakRate = p.meanRatePerSec * (1 + p.diurnalAmplitude) * p.burstRateMultiplier;
  const idPrefix = p.idPrefix ?? `synthetic-${seed}`;
  let nextUniqueHash = p.sharedPrefix ? p.sharedPrefix.groups * p.sharedPrefix.blocks : 0;
  let n = 0;
  for (let t = arrivals.exponential(1 / peakRate); t < p.durationSec; t += arrivals.exponential(1 / peakRate)) {
    if (arrivals.next() * peakRate >= syntheticRateAt(p, bursts, t)) continue;
    const request: SimRequest = {
      id: `${idPrefix}-${n++}`,
      arrivalSec: t,
      promptTokens: tokens(lengths, p.promptTokens),
      outputTokens: tokens(lengths, p.outputTokens),
    };
    if (p.sharedPrefix) {
      const blocks = Math.ceil(request.promptTokens / BLOCK_TOKENS);
      const hashes: number[] = [];
      if (prefixes.next() < p.sharedPrefix.share) {
        const g = prefixes.int(0, p.sharedPrefix.groups - 1);
        for (let b = 0; b < Math.min(blocks, p.sharedPrefix.blocks); b++) hashes.push(g * p.sharedPrefix.blocks + b);
      }
      while (hashes.length < blocks) hashes.push(nextUniqueHash++);
      request.prefixHashes = hashes;
    }
    if (p.taskClass !== undefined) request.taskClass = p.taskClass;
    yield request;
  }
}
