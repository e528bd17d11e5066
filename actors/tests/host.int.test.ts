import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy } from '@nats-io/jetstream';
import {
  check,
  sharedPostgres,
  startNats,
  startOiProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../testkit/index.js';
import { connectBus, defaultTopology, provision, publish, type Bus } from '../../bus/index.js';
import { migratePostgres, openPostgres } from '../../stores/index.js';
import { decodeEnvelope, exampleOf, gpuTelemetryV1, partitionOf, subjects } from '../../schemas/index.js';
import { FencedInbox, readPlacementState, startPlacement, type Placement } from '../../supervisor/index.js';
import { EPOCH_HEADER, PARTITION_HEADER } from '../index.js';

const P = 16;
const TTL = 1_500;

/** Reads OI_REC in order through a FencedInbox, as a supervisor would. */
async function startReceiver(bus: Bus): Promise<{
  applied: Map<string, { workload: string; count: number; epoch: number }>;
  stale: string[];
  dups: number;
  stop(): Promise<void>;
}> {
  const inbox = new FencedInbox();
  const applied = new Map<string, { workload: string; count: number; epoch: number }>();
  const stale: string[] = [];
  let dups = 0;
  const c = await bus.js.consumers.get('OI_REC', {
    filter_subjects: ['oi.v1.rec.>'],
    deliver_policy: DeliverPolicy.All,
  });
  const msgs = await c.consume();
  void (async () => {
    for await (const m of msgs) {
      const d = decodeEnvelope(m.data);
      if (!d.ok) continue;
      const epoch = m.headers?.get(EPOCH_HEADER);
      const partition = m.headers?.get(PARTITION_HEADER);
      const out = inbox.accept(d.envelope, epoch ? { epoch: Number(epoch), partition: Number(partition) } : undefined);
      if (out.kind === 'apply') {
        const data = d.envelope.data as { message_id: string; workload: string; count: number; epoch: number };
        applied.set(data.message_id, { workload: data.workload, count: data.count, epoch: data.epoch });
      } else if (out.kind === 'stale') stale.push(out.reason);
      else if (out.kind === 'duplicate') dups++;
    }
  })();
  return {
    applied,
    stale,
    get dups() {
      return dups;
    },
    stop: async () => {
      await msgs.close();
    },
  };
}

describe('actor hosts under the supervisor (real host processes)', () => {
  let nats: NatsServerHandle;
  let db: TestDatabase;
  let bus: Bus;
  let placement: Placement;
  const hosts: OiProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    nats = await startNats();
    db = await (await sharedPostgres()).createDatabase('hosts');
    const pg = openPostgres({ url: db.url });
    await migratePostgres(pg);
    await pg.close();
    bus = await connectBus({ servers: nats.url, name: 'test' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P, ackWaitMs: 2 * TTL }));
    placement = await startPlacement({ bus, partitions: P, leaseTtlMs: TTL, candidate: 'test-supervisor' });
    env = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: db.url,
      OI_PARTITIONS: String(P),
      OI_LEASE_TTL_MS: String(TTL),
      OI_HOST_ACTORS: 'probe',
      OI_LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop(2_000)));
    await placement?.stop();
    await bus?.drain();
    await db?.drop();
    await nats?.stop();
  });

  const heldBy = async (): Promise<Map<number, string>> => {
    const s = await readPlacementState(bus, P, TTL);
    return new Map(s.leases.filter((l) => l.live).map((l) => [l.partition, l.holder]));
  };
  let lastState = '';
  const settled = async (n: number): Promise<Map<number, string>> =>
    check(
      async () => {
        const s = await readPlacementState(bus, P, TTL);
        const live = s.leases.filter((l) => l.live && l.assigned_to === l.holder);
        if (s.hosts.length !== n || live.length !== P) return undefined;
        const counts = s.hosts.map((h) => live.filter((l) => l.holder === h.host).length);
        lastState = JSON.stringify({ hosts: s.hosts.map((h) => [h.host, h.assigned, h.held]), counts });
        return Math.max(...counts) - Math.min(...counts) <= 2
          ? new Map(live.map((l) => [l.partition, l.holder]))
          : undefined;
      },
      30_000,
      { name: `${n} hosts settled` }
    );

  it('spreads partitions evenly, moves about P/4 when a 4th host joins, and loses nothing when one leaves or dies', async () => {
    const receiver = await startReceiver(bus);
    for (let i = 0; i < 3; i++) hosts.push(startOiProcess('host', { ...env, OI_HOST_ID: `h${i}` }));
    const three = await settled(3);

    // steady traffic, every acked id logged
    const acked: string[] = [];
    let stop = false;
    const sample = exampleOf(gpuTelemetryV1);
    const traffic = (async () => {
      let n = 0;
      while (!stop) {
        const w = `wl-${n % 40}`;
        const r = await publish(
          bus.js,
          subjects.tel('gpu', w, 'node-1'),
          gpuTelemetryV1,
          { ...sample, workload: w },
          { source: 'test' }
        );
        acked.push(r.envelope.id);
        n++;
        await sleep(5);
      }
    })();

    hosts.push(startOiProcess('host', { ...env, OI_HOST_ID: 'h3' }));
    const four = await settled(4);
    const moved = [...four].filter(([p, h]) => three.get(p) !== h).length;
    expect(
      moved,
      `three=${JSON.stringify([...three])} four=${JSON.stringify([...four])} state=${lastState}`
    ).toBeGreaterThanOrEqual(Math.floor(P / 4) - 1);
    expect(moved).toBeLessThanOrEqual(Math.ceil(P / 4) + 1);

    // graceful leave: its partitions move in order, nothing left unprocessed
    expect(await hosts[1]!.stop()).toBe(0);
    await settled(3);

    // SIGKILL: every partition owned again within 2 × TTL
    const victim = hosts[2]!;
    const victimParts = [...(await heldBy())].filter(([, h]) => h === 'h2').map(([p]) => p);
    const killedAt = Date.now();
    victim.signal('SIGKILL');
    await check(
      async () => {
        const held = await heldBy();
        return victimParts.every((p) => held.has(p) && held.get(p) !== 'h2');
      },
      4 * TTL,
      { name: 'failover' }
    );
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThanOrEqual(2 * TTL + 500);

    stop = true;
    await traffic;
    await check(() => acked.every((id) => receiver.applied.has(id)), 30_000, {
      name: 'every acked message applied',
    }).catch(async () => {
      const missing = acked.filter((id) => !receiver.applied.has(id));
      const first = acked.indexOf(missing[0]!);
      const wl = `wl-${first % 40}`;
      const info = await bus.jsm.streams.info('OI_REC');
      const rec: string[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await bus.jsm.streams.getMessage('OI_REC', { seq }).catch(() => null);
        if (!m) continue;
        if (m.subject === `oi.v1.rec.probe.${wl}` || m.subject === `oi.v1.rec.fence.p${partitionOf(wl, P)}`) {
          const e = m.json<{ id: string; source: string; data: Record<string, unknown> }>();
          rec.push(`${seq}:${e.source}:${JSON.stringify(e.data)}:${m.header.get('Oi-Epoch')}`);
        }
      }
      const where = missing.slice(0, 40).map((id) => {
        const i = acked.indexOf(id);
        return `#${i}:p${partitionOf(`wl-${i % 40}`, P)}`;
      });
      throw new Error(
        `${missing.length} of ${acked.length} acked messages have no applied effect; stale ${receiver.stale.length} dups ${receiver.dups}: ${where.join(' ')}\nmissing ${missing[0]} (${wl}) rec:\n${rec.join('\n')}\n${hosts
          .map((h) =>
            h
              .getLog()
              .split('\n')
              .filter(
                (l) => /lost|failed|refused|error|skipped|acquired|released/i.test(l) && /"partition":(3|11),/.test(l)
              )
              .slice(-12)
              .join('\n')
          )
          .join('\n')}`
      );
    });
    // state applied once: each workload's counts are exactly 1..n
    const byWorkload = new Map<string, number[]>();
    for (const a of receiver.applied.values())
      byWorkload.set(a.workload, [...(byWorkload.get(a.workload) ?? []), a.count]);
    for (const [w, counts] of byWorkload) {
      const sorted = counts.sort((a, b) => a - b);
      expect(sorted, w).toEqual(sorted.map((_, i) => i + 1));
    }
    expect(receiver.applied.size).toBe(acked.length);
    await receiver.stop();
  });
});
