import { describe, expect, it } from 'vitest';
import { check, freePort, Lock } from './index.js';

describe('testkit check', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    await expect(check(() => (++n >= 3 ? n : 0), 1000, { intervalMs: 5 })).resolves.toBe(3);
  });

  it('treats a throw as not yet', async () => {
    let n = 0;
    const value = await check(
      () => {
        if (++n < 3) throw new Error('not yet');
        return 'ok';
      },
      1000,
      { intervalMs: 5 }
    );
    expect(value).toBe('ok');
  });

  it('names the condition and the last error on timeout', async () => {
    const failing = check(
      () => {
        throw new Error('port closed');
      },
      60,
      { name: 'server up', intervalMs: 10 }
    );
    await expect(failing).rejects.toThrow("check 'server up' timed out after 60ms: port closed");
  });

  it('says the condition stayed false when nothing threw', async () => {
    await expect(check(() => false, 30, { intervalMs: 5 })).rejects.toThrow(/timed out after 30ms: still false/);
  });

  it('stops when its signal aborts', async () => {
    const abort = new AbortController();
    const waiting = check(() => false, 5000, { signal: abort.signal });
    abort.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });
});

describe('testkit Lock', () => {
  it('resolves after count unlocks', async () => {
    const lock = new Lock(3, 1000);
    for (let i = 0; i < 3; i++) setTimeout(() => lock.unlock(), i * 5);
    await expect(lock.wait()).resolves.toBeUndefined();
  });

  it('rejects on timeout, saying how many unlocks were missing', async () => {
    const lock = new Lock(2, 30);
    lock.unlock();
    await expect(lock.wait()).rejects.toThrow('lock timed out after 30ms with 1 of 2 unlocks missing');
  });

  it('ignores extra unlocks and a timeout nobody waits on', async () => {
    const lock = new Lock(1, 10);
    lock.unlock();
    lock.unlock();
    await lock.wait();
    new Lock(1, 1); // its rejection must not surface as unhandled
    await new Promise((r) => setTimeout(r, 20));
  });
});

describe('testkit freePort', () => {
  it('returns a bindable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
