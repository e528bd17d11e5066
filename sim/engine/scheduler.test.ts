import { describe, expect, it } from 'vitest';
import { BlockPool } from './block-pool.js';
import { newRequestState, type RequestState } from './request.js';
import { Scheduler } from './scheduler.js';

let serial = 0;
function req(id: string, prompt: number, output = 100): RequestState {
  return newRequestState({ id, arrivalSec: 0, promptTokens: prompt, outputTokens: output }, 0, ++serial);
}

function runStep(s: Scheduler): ReturnType<Scheduler['schedule']> {
  const out = s.schedule(0);
  for (const { req: r, newTokens } of out.scheduled) {
    s.commit(r, newTokens);
    if (r.computedTokens >= r.input.promptTokens + r.generatedTokens) r.generatedTokens++;
  }
  return out;
}

describe('sim/engine Scheduler (vLLM V1 policy)', () => {
  it('chunks a long prefill to the token budget and schedules running decodes first', () => {
    const s = new Scheduler(
      { maxNumSeqs: 8, maxNumBatchedTokens: 512, enablePrefixCaching: false },
      new BlockPool(1000)
    );
    const a = req('a', 100);
    s.waiting.push(a);
    runStep(s); // a prefilled, now decoding
    const long = req('long', 2000);
    s.waiting.push(long);
    const out = runStep(s);
    expect(out.scheduled.map((x) => [x.req.input.id, x.newTokens])).toEqual([
      ['a', 1],
      ['long', 511],
    ]);
    expect(runStep(s).scheduled.map((x) => x.newTokens)).toEqual([1, 511]);
  });

  it('caps the batch at max_num_seqs', () => {
    const s = new Scheduler(
      { maxNumSeqs: 2, maxNumBatchedTokens: 4096, enablePrefixCaching: false },
      new BlockPool(1000)
    );
    s.waiting.push(req('a', 10), req('b', 10), req('c', 10));
    expect(runStep(s).scheduled).toHaveLength(2);
    expect(s.waiting.map((r) => r.input.id)).toEqual(['c']);
  });

  it('preempts the youngest running request when blocks run out and requeues it first', () => {
    // 4 blocks of 16 tokens: two 32-token prompts fill them; the next decode needs a fifth
    const s = new Scheduler({ maxNumSeqs: 8, maxNumBatchedTokens: 4096, enablePrefixCaching: false }, new BlockPool(4));
    const old = req('old', 32);
    const young = req('young', 32);
    s.waiting.push(old, young, req('later', 16));
    runStep(s);
    expect(s.running.map((r) => r.input.id)).toEqual(['old', 'young']);
    const out = runStep(s);
    expect(out.preempted.map((r) => r.input.id)).toEqual(['young']);
    expect(out.scheduled.map((x) => x.req.input.id)).toEqual(['old']);
    expect(s.waiting.map((r) => r.input.id)).toEqual(['young', 'later']);
    expect(young.computedTokens).toBe(0);
    expect(young.preemptions).toBe(1);
  });

  it('reuses cached prompt blocks and counts queries and hits in tokens', () => {
    const s = new Scheduler(
      { maxNumSeqs: 8, maxNumBatchedTokens: 4096, enablePrefixCaching: true },
      new BlockPool(100)
    );
    const keys = ['k0', 'k1', 'k2', 'k3'];
    const first = newRequestState({ id: 'a', arrivalSec: 0, promptTokens: 70, outputTokens: 1, blockKeys: keys }, 0, 1);
    s.waiting.push(first);
    runStep(s);
    const second = newRequestState(
      { id: 'b', arrivalSec: 0, promptTokens: 70, outputTokens: 1, blockKeys: keys },
      0,
      2
    );
    s.waiting.push(second);
    const out = runStep(s);
    expect(out.prefixQueries).toBe(70);
    expect(out.prefixHits).toBe(64);
    expect(out.scheduled.find((x) => x.req === second)?.newTokens).toBe(6);
  });
});
