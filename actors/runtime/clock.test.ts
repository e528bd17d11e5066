import { describe, expect, it } from 'vitest';
import { ManualClock, sleepOn, systemClock } from './clock.js';

describe('actors ManualClock', () => {
  it('fires due timers in time order as it advances, and not the others', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 50);
    expect(clock.advance(20)).toBe(2);
    expect(fired).toEqual(['a@110', 'b@120']);
    expect(clock.now()).toBe(120);
    expect(clock.pending).toBe(1);
  });

  it('fires a timer set by a firing one when it also falls due', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    clock.advance(10);
    expect(fired).toEqual([10]);
  });

  it('forgets a cleared timer', () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 1);
    clock.clearTimeout(handle);
    expect(clock.advance(10)).toBe(0);
    expect(fired).toBe(false);
  });

  it('tells a test when code under test has set a timer', async () => {
    const clock = new ManualClock();
    let woke = false;
    const waiting = clock.untilPending().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    const sleeping = sleepOn(clock, 30);
    await waiting;
    expect(woke).toBe(true);
    clock.advance(30);
    await expect(sleeping).resolves.toBeUndefined();
  });
});

describe('actors systemClock', () => {
  it('sleeps on real timers and resolves a zero sleep at once', async () => {
    const start = systemClock.now();
    await sleepOn(systemClock, 5);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(4);
    let fired = false;
    systemClock.clearTimeout(systemClock.setTimeout(() => (fired = true), 1));
    await sleepOn(systemClock, 0);
    expect(fired).toBe(false);
  });
});
