import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { check, startNatsCluster } from '../index.js';

describe('testkit startNatsCluster', () => {
  it('forms a 3-node JetStream cluster whose R3 stream survives losing its leader', async () => {
    await using cluster = await startNatsCluster();
    expect(cluster.servers.map((s) => s.name)).toEqual(['n1', 'n2', 'n3']);

    const nc = await connect({ servers: cluster.urls });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
      const js = jetstream(nc);
      for (let i = 0; i < 10; i++) await js.publish(`r3.${i}`, `m${i}`);
      const leaderName = (await jsm.streams.info('R3')).cluster?.leader;
      const leader = cluster.servers.find((s) => s.name === leaderName)!;
      expect(leader).toBeDefined();

      await leader.kill();
      await cluster.waitForJetStream();
      // A new stream leader takes a few seconds; until then requests time out.
      const info = await check(
        async () => {
          const si = await jsm.streams.info('R3');
          return si.cluster?.leader && si.cluster.leader !== leaderName ? si : undefined;
        },
        30_000,
        { name: 'new R3 leader', intervalMs: 250 }
      );
      expect(info.state.messages).toBe(10);

      // Consumer creation goes through the meta leader, which may also have moved: retry it.
      const got = await check(
        async () => {
          const consumer = await js.consumers.get('R3');
          const out: string[] = [];
          for await (const m of await consumer.fetch({ max_messages: 10, expires: 2000 })) out.push(m.string());
          return out.length === 10 ? out : undefined;
        },
        30_000,
        { name: 'read R3 after leader loss', intervalMs: 250 }
      );
      expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));

      // The killed node rejoins on its old ports and catches up.
      await leader.restart();
      // catching up takes longer on a loaded machine (a full test run on two cores)
      await cluster.waitForJetStream(90_000);
      await check(
        async () => {
          const si = await jsm.streams.info('R3');
          return si.cluster?.replicas?.length === 2 && si.cluster.replicas.every((r) => r.current);
        },
        30_000,
        { name: 'R3 replicas current', intervalMs: 250 }
      );
    } finally {
      await nc.close();
    }
  }, 240_000);
});
