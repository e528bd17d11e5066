import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { check, startNats, startNatsCluster } from '../../testkit/index.js';
import { noticeV1, subjects, exampleOf } from '../../schemas/index.js';
import { connectBus, defaultTopology, provision, publish, type Bus } from '../index.js';

/**
 * Publishes at a fixed rate without waiting for acks, each publish retrying through outages,
 * and logs the ids the stream acknowledged.
 */
function ratePublisher(bus: Bus, ratePerSec: number): { stop(): Promise<{ acked: string[]; failed: number }> } {
  const acked: string[] = [];
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  const notice = exampleOf(noticeV1);
  let n = 0;
  const timer = setInterval(() => {
    const p = publish(
      bus.js,
      subjects.evt('test', 'tick', 'wl-1'),
      noticeV1,
      { ...notice, message: `tick ${n++}` },
      {
        source: 'test',
        retry: { deadlineMs: 60_000, maxDelayMs: 500 },
      }
    )
      .then((r) => void acked.push(r.envelope.id))
      .catch(() => void failed++)
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / ratePerSec);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inflight]);
      return { acked, failed };
    },
  };
}

async function storedIds(bus: Bus): Promise<string[]> {
  const info = await bus.jsm.streams.info('OI_EVT');
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage('OI_EVT', { seq });
    ids.push(m!.header.get('Nats-Msg-Id'));
  }
  return ids;
}

describe('bus durability', () => {
  it('loses and repeats nothing acknowledged when nats-server is SIGKILLed mid-stream', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'test', jsTimeoutMs: 1_000 });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 1 }));
    const pub = ratePublisher(bus, 200);
    await sleep(500);
    await nats.kill('SIGKILL');
    await sleep(700);
    await nats.restart();
    await sleep(500);
    const { acked, failed } = await pub.stop();
    expect(failed).toBe(0);
    expect(acked.length).toBeGreaterThan(150);
    const stored = await storedIds(bus);
    expect(new Set(stored).size).toBe(stored.length);
    expect([...stored].sort()).toEqual([...acked].sort());
  });

  it('stores every acknowledged message exactly once when the stream leader of a 3-node cluster dies', async () => {
    await using cluster = await startNatsCluster({ size: 3 });
    await using bus = await connectBus({ servers: cluster.urls, name: 'test', jsTimeoutMs: 2_000 });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 1, replicas: 3 }));
    const pub = ratePublisher(bus, 100);
    await sleep(700);
    const leader = (await bus.jsm.streams.info('OI_EVT')).cluster?.leader;
    const victim = cluster.servers.find((s) => s.name === leader);
    expect(victim, `leader ${leader} among ${cluster.servers.map((s) => s.name).join(',')}`).toBeDefined();
    await victim!.kill('SIGKILL');
    // INFRA.md: 3.5-6.6 s without a leader; publishing goes on and retries meanwhile
    await check(async () => (await bus.jsm.streams.info('OI_EVT')).cluster?.leader !== leader, 20_000, {
      name: 'new leader',
    });
    await sleep(1_000);
    const { acked, failed } = await pub.stop();
    expect(failed).toBe(0);
    expect(acked.length).toBeGreaterThan(100);
    const stored = await storedIds(bus);
    expect(new Set(stored).size).toBe(stored.length);
    expect([...stored].sort()).toEqual([...acked].sort());
  });
});
