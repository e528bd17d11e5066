import { existsSync } from 'node:fs';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { startNats } from '../index.js';

const external = Boolean(process.env.NATS_URL);

describe('testkit startNats', () => {
  it('serves clients and JetStream on a random loopback port', async () => {
    await using ns = await startNats();
    expect(ns.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: ns.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'T', subjects: ['t.>'] });
      await jetstream(nc).publish('t.a', 'hello');
      expect((await jsm.streams.info('T')).state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it.skipIf(external)('keeps stream messages across kill -9 and restart on the same url', async () => {
    await using ns = await startNats();
    const url = ns.url;
    let nc = await connect({ servers: url, reconnect: false });
    const js = jetstream(nc);
    await (await jetstreamManager(nc)).streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    for (let i = 0; i < 5; i++) await js.publish(`keep.${i}`, `m${i}`);
    await nc.close();

    const oldPid = ns.pid;
    await ns.kill();
    expect(ns.running).toBe(false);
    await ns.restart();
    expect(ns.url).toBe(url);
    expect(ns.pid).not.toBe(oldPid);

    nc = await connect({ servers: ns.url });
    try {
      const consumer = await jetstream(nc).consumers.get('KEEP');
      const got: string[] = [];
      for await (const m of await consumer.fetch({ max_messages: 5, expires: 2000 })) got.push(m.string());
      expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    } finally {
      await nc.close();
    }
  });

  it.skipIf(external)('captures the log and removes its dirs on stop', async () => {
    const ns = await startNats({ name: 'log-check' });
    expect(ns.getLog()).toContain('Server is ready');
    expect(ns.getLog()).toContain('log-check');
    expect(existsSync(ns.storeDir)).toBe(true);
    await ns.stop();
    await ns.stop(); // idempotent
    expect(existsSync(ns.storeDir)).toBe(false);
    expect(ns.running).toBe(false);
  });

  it.skipIf(external)('runs without JetStream and takes extra config', async () => {
    await using ns = await startNats({ jetstream: false, extraConfig: 'max_payload: 4096' });
    const nc = await connect({ servers: ns.url });
    try {
      expect(nc.info?.max_payload).toBe(4096);
      expect(nc.info?.jetstream ?? false).toBe(false);
    } finally {
      await nc.close();
    }
  });

  it.skipIf(external)('puts the log tail in the error when the server cannot start', async () => {
    await expect(startNats({ extraConfig: 'this is { not valid' })).rejects.toThrow(
      /exited with code \d+ before it was ready[\s\S]*log tail/
    );
  });

  it.skipIf(external)('hands out the server named by NATS_URL without owning it', async () => {
    await using local = await startNats();
    vi.stubEnv('NATS_URL', local.url);
    try {
      await using ext = await startNats();
      expect(ext.url).toBe(local.url);
      expect(ext.port).toBe(local.port);
      await expect(ext.kill()).rejects.toThrow(/NATS_URL points at an external server/);
      await expect(ext.restart()).rejects.toThrow(/cannot kill or restart/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(local.running).toBe(true);
  });
});
