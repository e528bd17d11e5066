import { describe, expect, it } from 'vitest';
import { startNats } from '../../testkit/index.js';
import { partitionOf, subjects } from '../../schemas/index.js';
import {
  connectBus,
  defaultTopology,
  provision,
  rewindConsumer,
  telConsumerName,
  type RewindRecord,
} from '../index.js';

describe('bus provision', () => {
  it('creates everything once; a second run changes nothing', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'test' });
    const topology = defaultTopology({ partitions: 8 });
    const first = await provision(bus.jsm, bus.kvm, topology);
    expect(first.created).toHaveLength(topology.streams.length + topology.consumers.length + topology.kv.length);
    expect(first.created).toContain('stream OI_TEL');
    expect(first.created).toContain('consumer OI_TEL/oi-tel-p7');
    expect(first.created).toContain('kv oi_leases');

    const second = await provision(bus.jsm, bus.kvm, topology);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.unchanged).toHaveLength(first.created.length);
  });

  it('applies a changed limit and refuses to change what a live stream cannot', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 2 }));
    const changed = await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 2, telMaxAgeMs: 60_000 }));
    expect(changed.updated).toEqual(['stream OI_TEL (max_age, duplicate_window)']);
    expect((await bus.jsm.streams.info('OI_TEL')).config.max_age).toBe(60_000 * 1_000_000);

    const bad = defaultTopology({ partitions: 2 });
    bad.streams.find((s) => s.name === 'OI_EVT')!.retention = 'workqueue';
    await expect(provision(bus.jsm, bus.kvm, bad)).rejects.toThrow(/OI_EVT: retention cannot change/);
  });

  it('keeps a rewound partition consumer as it is, and still applies a changed ack wait', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 2 }));
    const w = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `wl-${x}`).find((x) => partitionOf(x, 2) === 1)!;
    await bus.js.publish(subjects.tel('gpu', w, 'n1'), '{}');
    const first = await (await bus.js.consumers.get('OI_TEL', telConsumerName(1))).next();
    await first!.ackAck();
    await rewindConsumer(bus.jsm, 'OI_TEL', telConsumerName(1));
    const rewound = (await bus.jsm.consumers.info('OI_TEL', telConsumerName(1))).config;
    const again = await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 2 }));
    expect(again.updated).toEqual([]);
    const changed = await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 2, ackWaitMs: 5_000 }));
    expect(changed.updated).toContain('consumer OI_TEL/oi-tel-p1 (ack_wait)');
    const info = await bus.jsm.consumers.info('OI_TEL', telConsumerName(1));
    expect(info.config.ack_wait).toBe(5_000 * 1_000_000);
    expect(rewound.deliver_policy).toBe('by_start_sequence');
    expect([info.config.deliver_policy, info.config.opt_start_seq]).toEqual([
      rewound.deliver_policy,
      rewound.opt_start_seq,
    ]);
  });

  it('rebuilds a consumer a killed owner deleted mid-rewind from the journal, at the same floor', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 2 }));
    const w = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `wl-${x}`).find((x) => partitionOf(x, 2) === 1)!;
    for (let i = 0; i < 3; i++) await bus.js.publish(subjects.tel('gpu', w, 'n1'), `{"i":${i}}`);
    const consumer = await bus.js.consumers.get('OI_TEL', telConsumerName(1));
    for (let i = 0; i < 2; i++) await (await consumer.next())!.ackAck();
    const saved = new Map<string, RewindRecord>();
    const journal = {
      save: (d: string, r: RewindRecord) => Promise.resolve(void saved.set(d, structuredClone(r))),
      load: (d: string) => Promise.resolve(saved.get(d)),
    };
    expect(await rewindConsumer(bus.jsm, 'OI_TEL', telConsumerName(1), journal)).toBe(2);
    // the owner dies between delete and add
    await bus.jsm.consumers.delete('OI_TEL', telConsumerName(1));
    await expect(rewindConsumer(bus.jsm, 'OI_TEL', telConsumerName(1))).rejects.toThrow(
      /consumer OI_TEL\/oi-tel-p1 is missing and no rewind record/
    );
    expect(await rewindConsumer(bus.jsm, 'OI_TEL', telConsumerName(1), journal)).toBe(2);
    const info = await bus.jsm.consumers.info('OI_TEL', telConsumerName(1));
    expect(info.config.opt_start_seq).toBe(3);
    expect(info.config.filter_subject).toBe('oi.v1.tel.1.>');
    const next = await (await bus.js.consumers.get('OI_TEL', telConsumerName(1))).next();
    expect(next?.json()).toEqual({ i: 2 });
  });

  it('stores telemetry under the partition partitionOf computes, as the server transform does', async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: 'test' });
    const P = 16;
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P }));
    const workloads = Array.from({ length: 50 }, (_, i) => `wl-${i * 7}`);
    for (const w of workloads) await bus.js.publish(subjects.tel('gpu', w, 'node-a'), '{}');
    const seen = new Set<number>();
    for (const w of workloads) {
      const p = partitionOf(w, P);
      seen.add(p);
      const m = await bus.jsm.streams.getMessage('OI_TEL', { last_by_subj: subjects.telStored(p, 'gpu', w, 'node-a') });
      expect(m!.subject).toBe(`oi.v1.tel.${p}.gpu.${w}.node-a`);
    }
    // 50 workloads over 16 partitions land on most of them: the hash spreads
    expect(seen.size).toBeGreaterThan(10);
  });
});
