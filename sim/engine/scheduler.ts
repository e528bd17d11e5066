import { BLOCK_SIZE_TOKENS } from '../catalog/index.js';
import type { BlockKey, BlockPool } from './block-pool.js';
import type { BatchShape } from './step-cost.js';
import { numTokens, type RequestState } from './request.js';

export interface SchedulerLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  enablePrefixCaching: boolean;
}

export interface ScheduledRequest {
  req: RequestState;
  newTokens: number;
}

export interface ScheduleOutput {
  scheduled: ScheduledRequest[];
  preempted: RequestState[];
  shape: BatchShape;
  /** Prefix cache queries and hits (tokens) from lookups made this step. */
  prefixQueries: number;
  prefixHits: number;
  externalQueries: number;
  externalHits: number;
}

/** Blocks per request addressable by a numeric key (covers any context up to 16 M tokens). */
const BLOCKS_PER_SERIAL = 2 ** 20;

/** Content key of a request's i-th full block: the prompt's key, else a number unique to the request. */
function blockKey(r: RequestState, i: number): BlockKey {
  return r.input.blockKeys?.[i] ?? r.serial * BLOCKS_PER_SERIAL + i;
}

function blocksFor(tokens: number): number {
  return Math.ceil(tokens / BLOCK_SIZE_TOKENS);
}

/**
 * vLLM V1's scheduler (v1/core/sched/scheduler.py, FCFS): running requests first, each taking
 * its remaining tokens out of the step's token budget (decodes 1, partial prefills a chunk); when
 * blocks run out the youngest running request is preempted by recompute and put back at the head
 * of the waiting queue. Waiting requests are admitted only in a step without preemptions, while
 * seats (max_num_seqs), budget and blocks last, after a prefix-cache lookup.
 */
export class Scheduler {
  readonly waiting: RequestState[] = [];
  readonly running: RequestState[] = [];

  constructor(
    private readonly limits: SchedulerLimits,
    readonly pool: BlockPool
  ) {}

  schedule(nowSec: number): ScheduleOutput {
    const out: ScheduleOutput = {
      scheduled: [],
      preempted: [],
      shape: { tokens: 0, sampledTokens: 0, attentionPairs: 0, kvTokensRead: 0, kvLoadSec: 0 },
      prefixQueries: 0,
      prefixHits: 0,
      externalQueries: 0,
      externalHits: 0,
    };
    let budget = this.limits.maxNumBatchedTokens;
    let i = 0;
    while (i < this.running.length && budget > 0) {
      const req = this.running[i]!;
      const newTokens = Math.min(numTokens(req) - req.computedTokens, budget);
      if (newTokens <= 0) {
        i++;
        continue;
      }
      let schedulable = true;
      for (;;) {
        const need = blocksFor(req.computedTokens + newTokens) - req.ownBlocks - req.cachedKeys.length;
        if (this.pool.canAllocate(need)) {
          if (need > 0) {
            this.pool.allocate(need);
            req.ownBlocks += need;
          }
          break;
        }
        const victim = this.running.pop()!;
        this.preempt(victim);
        out.preempted.push(victim);
        if (victim === req) {
          schedulable = false;
          break;
        }
      }
      if (!schedulable) break;
      this.add(out, req, newTokens);
      budget -= newTokens;
      i++;
    }
    if (out.preempted.length === 0) budget = this.admitWaiting(out, budget, nowSec);
    return out;
  }

  private admitWaiting(out: ScheduleOutput, budget: number, nowSec: number): number {
    while (this.waiting.length > 0 && budget > 0 && this.running.length < this.limits.maxNumSeqs) {
      const req = this.waiting[0]!;
      const total = numTokens(req);
      const hit = this.limits.enablePrefixCaching
        ? this.pool.lookup(this.keysOf(req), Math.floor((total - 1) / BLOCK_SIZE_TOKENS))
        : undefined;
      const hitTokens = (hit?.blocks ?? 0) * BLOCK_SIZE_TOKENS;
      const newTokens = Math.min(total - hitTokens, budget);
      const need = blocksFor(hitTokens + newTokens) - (hit?.gpuKeys.length ?? 0);
      if (!this.pool.canAllocate(need + (hit?.evictableHits ?? 0))) break;
      if (hit) {
        this.pool.acquire(hit);
        req.cachedKeys.push(...hit.gpuKeys, ...hit.tierKeys.map((t) => t.key));
        req.publishedBlocks = hit.blocks;
        for (const t of hit.tierKeys) out.shape.kvLoadSec += this.pool.tiers[t.tier]!.loadSecPerBlock;
        const gpuTokens = hit.gpuKeys.length * BLOCK_SIZE_TOKENS;
        const tierTokens = hit.tierKeys.length * BLOCK_SIZE_TOKENS;
        out.prefixQueries += total;
        out.prefixHits += gpuTokens;
        if (this.pool.tiers.length > 0) {
          out.externalQueries += total - gpuTokens;
          out.externalHits += tierTokens;
        }
        if (req.cachedPromptTokens === undefined) {
          req.cachedPromptTokens = Math.min(gpuTokens, req.input.promptTokens);
          req.offloadedPromptTokens = Math.min(tierTokens, req.input.promptTokens);
        }
      }
      req.cachedPromptTokens ??= 0;
      req.computedTokens = hitTokens;
      const fresh = need - (hit?.tierKeys.length ?? 0);
      this.pool.allocate(fresh);
      req.ownBlocks += fresh;
      this.waiting.shift();
      this.running.push(req);
      req.firstScheduledSec ??= nowSec;
      this.add(out, req, newTokens);
      budget -= newTokens;
    }
    return budget;
  }

  private keysOf(req: RequestState): BlockKey[] {
    const n = Math.floor((numTokens(req) - 1) / BLOCK_SIZE_TOKENS);
    const keys: BlockKey[] = [];
    for (let i = 0; i < n; i++) keys.push(blockKey(req, i));
    return keys;
  }

  private add(out: ScheduleOutput, req: RequestState, newTokens: number): void {
    out.scheduled.push({ req, newTokens });
    const ctx = req.computedTokens;
    out.shape.tokens += newTokens;
    out.shape.attentionPairs += newTokens * (ctx + newTokens / 2);
    out.shape.kvTokensRead += ctx;
    if (ctx + newTokens >= numTokens(req)) out.shape.sampledTokens++;
  }

  /** After the step ran: advance computed tokens and publish newly filled blocks to the cache. */
  commit(req: RequestState, newTokens: number): void {
    req.computedTokens += newTokens;
    if (!this.limits.enablePrefixCaching) return;
    const full = Math.floor(req.computedTokens / BLOCK_SIZE_TOKENS);
    for (let i = req.publishedBlocks; i < full; i++) {
      const key = blockKey(req, i);
      if (req.ownBlocks > 0 && this.pool.register(key)) {
        req.ownBlocks--;
        req.cachedKeys.push(key);
      }
    }
    req.publishedBlocks = Math.max(req.publishedBlocks, full);
  }

  free(req: RequestState): void {
    this.pool.release(req.ownBlocks, req.cachedKeys);
    req.ownBlocks = 0;
    req.cachedKeys = [];
    req.publishedBlocks = 0;
  }

  private preempt(req: RequestState): void {
    this.free(req);
    req.computedTokens = 0;
    req.preemptions++;
    this.waiting.unshift(req);
  }
}
