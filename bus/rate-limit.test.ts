import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.js';

describe('bus TokenBuckets', () => {
  it('lets a burst through, then refuses with the wait until the next token', () => {
    let now = 0;
    const b = new TokenBuckets({ ratePerSec: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => b.take('alice').ok)).toEqual([true, true, true]);
    // 2 tokens per second: the next one is 500 ms away
    expect(b.take('alice')).toEqual({ ok: false, retryAfterMs: 500 });
    // another caller has its own bucket
    expect(b.take('bob').ok).toBe(true);
    now = 500;
    expect(b.take('alice').ok).toBe(true);
    expect(b.take('alice').ok).toBe(false);
  });

  it('refills no further than the burst', () => {
    let now = 0;
    const b = new TokenBuckets({ ratePerSec: 10, burst: 2 }, () => now);
    now = 60_000;
    expect([1, 2, 3].map(() => b.take('k').ok)).toEqual([true, true, false]);
  });

  it('tracks at most maxKeys callers, forgetting the least recently seen', () => {
    const b = new TokenBuckets({ ratePerSec: 1, burst: 1, maxKeys: 100 }, () => 0);
    for (let i = 0; i < 10_000; i++) b.take(`source-${i}`);
    expect(b.size).toBe(100);
  });

  it('refuses a limit that could never admit anything', () => {
    expect(() => new TokenBuckets({ ratePerSec: 0, burst: 1 })).toThrow(/ratePerSec > 0/);
    expect(() => new TokenBuckets({ ratePerSec: 1, burst: 0 })).toThrow(/burst >= 1/);
  });
});
