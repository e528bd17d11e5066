import { createRng, type Rng } from '../random.js';
import { BlockPool } from './block-pool.js';
import { resolveEngineConfig, type EngineConfig, type EngineConfigInput } from './engine-config.js';
import { EngineMetrics } from './engine-metrics.js';
import {
  newRequestState,
  numTokens,
  validateRequest,
  type EngineRequestInput,
  type FinishReason,
  type FinishedRequest,
  type RequestState,
} from './request.js';
import { Scheduler, type ScheduleOutput } from './scheduler.js';
import { createStepCost, type StepCost, type BatchShape } from './step-cost.js';

/** Live counts, as the gauges of /metrics report them. */
export interface EngineStats {
  nowSec: number;
  running: number;
  waiting: number;
  /** In the API server, not yet in the engine core. */
  preprocessing: number;
  kvCacheUsage: number;
  numGpuBlocks: number;
  freeBlocks: number;
  /** Most blocks in use at any step start so far: the KV this load needed. */
  peakUsedBlocks: number;
  stepsRun: number;
}

interface InFlightStep {
  endSec: number;
  batch: ScheduleOutput;
}

/**
 * One vLLM V1 replica on simulated time. Nothing moves until the caller advances it: a fleet loop
 * asks every replica for `nextEventSec()`, advances the earliest with `advanceTo(t)`, and feeds
 * arrivals with `addRequest` — no wall clock, no timers. Scheduling decisions happen at step
 * start, tokens appear at step end.
 */
export class EngineModel {
  readonly config: EngineConfig;
  readonly metrics: EngineMetrics;
  private now = 0;
  private readonly scheduler: Scheduler;
  private readonly stepCost: (b: BatchShape) => StepCost;
  private readonly rng: Rng;
  /** In API-server preprocessing, sorted by the time they reach the engine core. */
  private readonly pending: RequestState[] = [];
  private readonly byId = new Map<string, RequestState>();
  private step: InFlightStep | undefined;
  private finished: FinishedRequest[] = [];
  private stepsRun = 0;
  private serials = 0;
  private peakUsedBlocks = 0;
  private lastStep: StepCost | undefined;
  private tokenListener: ((id: string, tokenIndex: number, engineSec: number) => void) | undefined;

  constructor(input: EngineConfigInput | EngineConfig) {
    this.config = 'memory' in input ? input : resolveEngineConfig(input);
    this.metrics = new EngineMetrics(this.config);
    const pool = new BlockPool(this.config.memory.numGpuBlocks, this.config.tiers);
    this.scheduler = new Scheduler(this.config, pool);
    this.stepCost = createStepCost(this.config);
    this.rng = createRng(this.config.seed).fork(`engine-${this.config.engineIndex}`);
  }

  get nowSec(): number {
    return this.now;
  }

  /** Queues a request arriving at `arrivalSec` (now or later); it reaches the scheduler after preprocessing. */
  addRequest(input: EngineRequestInput): void {
    validateRequest(input, this.now, this.config.maxModelLen);
    if (this.byId.has(input.id)) throw new Error(`request id '${input.id}' is already in the engine`);
    const f = this.config.frontend;
    const ready = input.arrivalSec + f.preprocessSec + f.preprocessSecPerToken * input.promptTokens;
    const state = newRequestState(input, ready, ++this.serials);
    this.byId.set(input.id, state);
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.readySec > ready) i--;
    this.pending.splice(i, 0, state);
  }

  /** Simulated time of the next thing this engine does; Infinity when it has nothing to do. */
  nextEventSec(): number {
    const nextReady = this.pending[0]?.readySec ?? Infinity;
    if (this.step) return Math.min(this.step.endSec, nextReady);
    if (this.scheduler.running.length > 0 || this.scheduler.waiting.length > 0) return this.now;
    return nextReady;
  }

  /** Runs every step and admission due up to `tSec`, then sets the clock to `tSec`. */
  advanceTo(tSec: number): void {
    if (tSec < this.now) throw new Error(`cannot go back in time: now ${this.now}, asked ${tSec}`);
    for (;;) {
      const next = this.nextEventSec();
      if (next > tSec) break;
      this.now = Math.max(this.now, next);
      while (this.pending.length > 0 && this.pending[0]!.readySec <= this.now) {
        this.scheduler.waiting.push(this.pending.shift()!);
      }
      if (this.step && this.step.endSec <= this.now) this.finishStep(this.step);
      if (!this.step && !this.startStep() && this.nextEventSec() <= this.now) {
        // cannot happen while max_model_len fits the KV cache; fail loudly rather than spin
        throw new Error(`engine stalled at ${this.now}s with ${this.scheduler.waiting.length} waiting`);
      }
    }
    this.now = tSec;
  }

  /** Runs until every queued request has finished; returns the time it took. */
  drain(limitSec = Infinity): number {
    const start = this.now;
    for (let next = this.nextEventSec(); next !== Infinity && next <= limitSec; next = this.nextEventSec()) {
      this.advanceTo(next);
    }
    return this.now - start;
  }

  /** Finished requests since the last call, in completion order. */
  takeFinished(): FinishedRequest[] {
    const out = this.finished;
    this.finished = [];
    return out;
  }

  /** Stops a request wherever it is; it finishes with reason `abort`. */
  abort(id: string): boolean {
    const r = this.byId.get(id);
    if (!r) return false;
    const remove = (list: RequestState[]): boolean => {
      const i = list.indexOf(r);
      if (i >= 0) list.splice(i, 1);
      return i >= 0;
    };
    if (this.step?.batch.scheduled.some((s) => s.req === r)) {
      // its blocks are in use by the step in flight: released when the step ends
      r.aborted = true;
      return true;
    }
    if (!remove(this.pending) && !remove(this.scheduler.waiting)) remove(this.scheduler.running);
    this.scheduler.free(r);
    this.complete(r, 'abort', this.now);
    return true;
  }

  stats(): EngineStats {
    return {
      nowSec: this.now,
      running: this.scheduler.running.length,
      waiting: this.scheduler.waiting.length,
      preprocessing: this.pending.length,
      kvCacheUsage: this.scheduler.pool.usage,
      numGpuBlocks: this.config.memory.numGpuBlocks,
      freeBlocks: this.scheduler.pool.numFree,
      peakUsedBlocks: this.peakUsedBlocks,
      stepsRun: this.stepsRun,
    };
  }

  /** Called for every sampled token, at the end of the step that produced it (streaming). */
  onToken(listener: ((id: string, tokenIndex: number, engineSec: number) => void) | undefined): void {
    this.tokenListener = listener;
  }

  /** The most recent step's roofline breakdown. */
  lastStepCost(): StepCost | undefined {
    return this.lastStep;
  }

  renderMetrics(): string {
    const s = this.stats();
    return this.metrics.render({ running: s.running, waiting: s.waiting, kvCacheUsage: s.kvCacheUsage });
  }

  private startStep(): boolean {
    const batch = this.scheduler.schedule(this.now);
    this.metrics.preemptions += batch.preempted.length;
    this.metrics.prefixQueries += batch.prefixQueries;
    this.metrics.prefixHits += batch.prefixHits;
    this.metrics.externalQueries += batch.externalQueries;
    this.metrics.externalHits += batch.externalHits;
    if (batch.scheduled.length === 0) return false;
    const pool = this.scheduler.pool;
    this.peakUsedBlocks = Math.max(this.peakUsedBlocks, pool.numBlocks - pool.numFree);
    const cost = this.stepCost(batch.shape);
    this.lastStep = cost;
    const jitter = this.config.stepJitterFraction;
    const factor = jitter > 0 ? Math.max(0.5, this.rng.normal(1, jitter)) : 1;
    this.step = { endSec: this.now + cost.seconds * factor, batch };
    return true;
  }

  private finishStep(step: InFlightStep): void {
    this.step = undefined;
    this.stepsRun++;
    const t = step.endSec;
    let prompt = 0;
    let generated = 0;
    for (const { req, newTokens } of step.batch.scheduled) {
      this.scheduler.commit(req, newTokens);
      if (req.aborted) {
        this.retire(req, 'abort', t);
        continue;
      }
      if (req.computedTokens < numTokens(req)) continue;
      // all known tokens computed: the step sampled one more
      req.generatedTokens++;
      generated++;
      if (req.firstTokenSec === undefined) {
        req.firstTokenSec = t;
        prompt += req.input.promptTokens;
        this.metrics.ttft.observe(t + this.config.frontend.postprocessSec - req.input.arrivalSec);
      } else {
        const itl = t - req.lastTokenSec!;
        req.itlsSec.push(itl);
        this.metrics.itl.observe(itl);
      }
      req.lastTokenSec = t;
      this.tokenListener?.(req.input.id, req.generatedTokens - 1, t);
      if (req.generatedTokens >= req.input.outputTokens) this.retire(req, req.input.finishReason ?? 'length', t);
    }
    this.metrics.promptTokens += prompt;
    this.metrics.generationTokens += generated;
    this.metrics.iterationTokens.observe(prompt + generated);
  }

  private retire(req: RequestState, reason: FinishReason, t: number): void {
    this.scheduler.running.splice(this.scheduler.running.indexOf(req), 1);
    this.scheduler.free(req);
    this.complete(req, reason, t);
  }

  private complete(r: RequestState, reason: FinishReason, engineSec: number): void {
    this.byId.delete(r.input.id);
    const post = this.config.frontend.postprocessSec;
    const scheduled = r.firstScheduledSec ?? engineSec;
    const first = r.firstTokenSec ?? engineSec;
    const last = r.lastTokenSec ?? engineSec;
    const decode = last - first;
    const out: FinishedRequest = {
      id: r.input.id,
      arrivalSec: r.input.arrivalSec,
      queuedSec: Math.min(r.readySec, engineSec),
      firstScheduledSec: scheduled,
      engineFinishSec: engineSec,
      finishSec: engineSec + post,
      ttftSec: first + post - r.input.arrivalSec,
      itlsSec: r.itlsSec,
      e2eSec: engineSec + post - r.input.arrivalSec,
      queueTimeSec: Math.max(0, scheduled - r.readySec),
      prefillTimeSec: first - scheduled,
      decodeTimeSec: decode,
      inferenceTimeSec: last - scheduled,
      meanTimePerOutputTokenSec: r.generatedTokens > 1 ? decode / (r.generatedTokens - 1) : 0,
      promptTokens: r.input.promptTokens,
      outputTokens: r.generatedTokens,
      cachedPromptTokens: r.cachedPromptTokens ?? 0,
      offloadedPromptTokens: r.offloadedPromptTokens,
      preemptions: r.preemptions,
      finishReason: reason,
    };
    this.metrics.observeFinished(out, r.input.maxTokens ?? r.input.outputTokens);
    this.finished.push(out);
  }
}
