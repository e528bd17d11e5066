import { describe, expect, it } from 'vitest';
import { check, startNats } from '../../testkit/index.js';
import { connectBus, defaultTopology, provision, type Bus } from '../../bus/index.js';
import {
  CorruptLeaseError,
  HostRegistry,
  LeaderElection,
  LeaseKeeper,
  LeaseStore,
  partitionKey,
  type Lease,
  type LostReason,
} from '../index.js';

const TTL = 1000;

/** Buses opened by a test, all closed (not drained: the server may be gone) at the end. */
class Fixture implements AsyncDisposable {
  readonly #buses: Bus[] = [];
  constructor(readonly url: string) {}

  async bus(name = 'lease-test'): Promise<Bus> {
    const bus = await connectBus({ servers: this.url, name });
    this.#buses.push(bus);
    return bus;
  }

  async store(name?: string): Promise<LeaseStore> {
    return LeaseStore.open(await this.bus(name));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#buses.map((b) => b.nc.close()));
  }
}

async function fixture(url: string): Promise<Fixture> {
  const fx = new Fixture(url);
  const bus = await fx.bus('provisioner');
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
  return fx;
}

describe('supervisor leases (real nats-server)', () => {
  it('acquires an absent key at epoch 1, and read and readStrict agree', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const store = await fx.store();
    const now = Date.now();
    const lease = await store.acquire('part.0', 'host-a', TTL, now);
    expect(lease).toMatchObject({ key: 'part.0', holder: 'host-a', epoch: 1, deadline: now + TTL });
    expect(lease!.revision).toBeGreaterThan(0);
    const strict = await store.readStrict('part.0');
    expect(strict).toEqual({
      v: 1,
      holder: 'host-a',
      epoch: 1,
      deadline: now + TTL,
      acquiredAt: now,
      renewedAt: now,
      revision: lease!.revision,
    });
    expect(await store.read('part.0')).toEqual(strict);
    expect(await store.readStrict('part.1')).toBeUndefined();
    expect([...(await store.readAll('part.')).keys()]).toEqual(['part.0']);
  });

  it('lets exactly one of 10 concurrent acquirers on separate connections win, at epoch 1', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const stores = await Promise.all(Array.from({ length: 10 }, (_, i) => fx.store(`racer-${i}`)));
    const results = await Promise.all(stores.map((s, i) => s.acquire('part.1', `host-${i}`, TTL)));
    const winners = results.filter((r): r is Lease => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.epoch).toBe(1);
    expect((await stores[0]!.readStrict('part.1'))?.holder).toBe(winners[0]!.holder);

    // the same race over an expired lease goes through CAS updates: one winner, epoch 2
    const later = winners[0]!.deadline + 1;
    const again = await Promise.all(stores.map((s, i) => s.acquire('part.1', `host-${i + 10}`, TTL, later)));
    const second = again.filter((r): r is Lease => r !== undefined);
    expect(second).toHaveLength(1);
    expect(second[0]!.epoch).toBe(2);
  });

  it('renews under the same epoch and a new revision', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const store = await fx.store();
    const lease = (await store.acquire('part.2', 'host-a', TTL))!;
    const renewed = (await store.renew(lease, TTL, lease.deadline - 1))!;
    expect(renewed.epoch).toBe(lease.epoch);
    expect(renewed.revision).toBeGreaterThan(lease.revision);
    expect(renewed.deadline).toBe(lease.deadline - 1 + TTL);
    // acquire by the live holder is a renewal too
    const again = (await store.acquire('part.2', 'host-a', TTL))!;
    expect(again.epoch).toBe(lease.epoch);
    // the old revision is spent
    expect(await store.renew(lease, TTL)).toBeUndefined();
  });

  it('refuses another holder before the deadline and admits it after, at epoch + 1', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const a = await fx.store('a');
    const b = await fx.store('b');
    const lease = (await a.acquire('part.3', 'host-a', 600))!;
    expect(await b.acquire('part.3', 'host-b', 600)).toBeUndefined();
    const taken = await check(() => b.acquire('part.3', 'host-b', 600), 3000, { name: 'takeover after ttl' });
    expect(Date.now()).toBeGreaterThanOrEqual(lease.deadline);
    expect(taken.epoch).toBe(lease.epoch + 1);
    expect(taken.acquiredAt).toBeGreaterThanOrEqual(lease.deadline);
  });

  it('hands a released lease to another holder at once, at epoch + 1', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const a = await fx.store('a');
    const b = await fx.store('b');
    const lease = (await a.acquire('part.0', 'host-a', 60_000))!;
    expect(await a.release(lease)).toBe(true);
    const released = await b.readStrict('part.0');
    expect(released).toMatchObject({ holder: '', deadline: 0, epoch: 1 });
    const taken = (await b.acquire('part.0', 'host-b', 60_000))!;
    expect(taken.epoch).toBe(2);
    // a second release of the spent lease is refused
    expect(await a.release(lease)).toBe(false);
  });

  it('answers undefined to a renewal after someone else took over', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const a = await fx.store('a');
    const b = await fx.store('b');
    const lease = (await a.acquire('part.1', 'host-a', TTL))!;
    // b's clock runs past a's deadline (skew): it takes over while a still believes it holds
    const stolen = (await b.acquire('part.1', 'host-b', TTL, lease.deadline))!;
    expect(stolen.epoch).toBe(2);
    expect(await a.renew(lease, TTL, lease.deadline - 10)).toBeUndefined();
  });

  it('surfaces a corrupt value as an error naming the key, never as a free lease', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const bus = await fx.bus();
    const store = await LeaseStore.open(bus);
    const kv = await bus.kvm.open('oi_leases');
    await kv.put('part.3', '{"v":1,"holder":"x"}');
    await expect(store.acquire('part.3', 'host-a', TTL)).rejects.toThrow(CorruptLeaseError);
    await expect(store.readStrict('part.3')).rejects.toThrow(/lease part\.3/);
    await kv.delete('part.3');
    expect(await store.readStrict('part.3')).toBeUndefined();
    expect(await store.read('part.3')).toBeUndefined();
  });
});

describe('supervisor LeaseKeeper (real nats-server)', () => {
  it('renews in the background under the same epoch', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const store = await fx.store();
    const keeper = new LeaseKeeper({ store, ttlMs: 600 });
    const lease = (await keeper.acquire(partitionKey(0), 'host-a'))!;
    await check(async () => ((await store.readStrict('part.0'))?.deadline ?? 0) > lease.deadline, 2000, {
      name: 'renewed deadline',
    });
    expect(keeper.lease('part.0')?.epoch).toBe(lease.epoch);
    await check(() => Date.now() > lease.deadline + 600, 3000, { name: 'past the first deadline' });
    expect(keeper.isValid('part.0')).toBe(true);
    await keeper.stop();
    expect((await store.readStrict('part.0'))?.holder).toBe('');
  });

  it('emits lost when another holder overwrites the value', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const store = await fx.store('keeper');
    const keeper = new LeaseKeeper({ store, ttlMs: TTL });
    const lost: [string, LostReason][] = [];
    keeper.on('lost', (key, reason) => lost.push([key, reason]));
    const lease = (await keeper.acquire('part.2', 'host-a'))!;
    const other = await (await fx.bus('intruder')).kvm.open('oi_leases');
    const value = {
      v: 1,
      holder: 'host-b',
      epoch: lease.epoch + 1,
      deadline: Date.now() + 60_000,
      acquiredAt: 0,
      renewedAt: 0,
    };
    await other.put('part.2', JSON.stringify(value));
    await check(() => lost.length > 0, TTL, { name: 'lost emitted' });
    expect(lost).toEqual([['part.2', 'taken']]);
    expect(keeper.isValid('part.2')).toBe(false);
    await keeper.stop();
  });

  it('reports isValid false after the deadline with no NATS traffic at all', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const keeper = new LeaseKeeper({ store: await fx.store(), ttlMs: 600 });
    const lease = (await keeper.acquire('part.1', 'host-a'))!;
    const lost: LostReason[] = [];
    keeper.on('lost', (_key, reason) => lost.push(reason));
    expect(keeper.isValid('part.1', lease.deadline - 1)).toBe(true);
    await nats.kill();
    await check(() => !keeper.isValid('part.1'), 3000, { name: 'invalid after deadline' });
    expect(Date.now()).toBeGreaterThanOrEqual(lease.deadline);
    expect(lost).toEqual(['expired']);
    await keeper.stop({ release: false });
  });

  it('notices a stall (blocked event loop) on resume, before any timer runs', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const keeper = new LeaseKeeper({ store: await fx.store(), ttlMs: 600 });
    const lease = (await keeper.acquire('part.3', 'host-a'))!;
    expect(keeper.isValid('part.3')).toBe(true);
    // a synchronous stall stands in for SIGSTOP: no timer or renewal can run meanwhile
    while (Date.now() <= lease.deadline) {
      /* stalled */
    }
    expect(keeper.isValid('part.3')).toBe(false);
    expect(keeper.lease('part.3')).toBeUndefined();
    // the lease is free for others now, and the next holder gets a higher epoch
    const next = await (await fx.store('b')).acquire('part.3', 'host-b', 600);
    expect(next?.epoch).toBe(lease.epoch + 1);
    await keeper.stop();
  });
});

describe('supervisor LeaderElection (real nats-server)', () => {
  async function candidates(fx: Fixture, ttlMs: number): Promise<LeaderElection[]> {
    const make = async (id: string): Promise<LeaderElection> =>
      new LeaderElection({ store: await fx.store(id), name: 'supervisor', candidate: id, ttlMs });
    return [await make('cand-a'), await make('cand-b')];
  }

  it('elects exactly one of two candidates; stop() hands over within the ttl', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const [a, b] = await candidates(fx, TTL);
    const elected: [string, number][] = [];
    a!.on('elected', (e) => elected.push(['a', e]));
    b!.on('elected', (e) => elected.push(['b', e]));
    await Promise.all([a!.start(), b!.start()]);
    await check(() => elected.length === 1, TTL, { name: 'one elected' });
    const [leader, follower] = elected[0]![0] === 'a' ? [a!, b!] : [b!, a!];
    expect(leader.isLeader()).toBe(true);
    expect(follower.isLeader()).toBe(false);
    expect(leader.epoch()).toBe(1);

    const stoppedAt = Date.now();
    await leader.stop();
    expect(leader.isLeader()).toBe(false);
    await check(() => follower.isLeader(), TTL, { name: 'follower elected after handover' });
    expect(Date.now() - stoppedAt).toBeLessThan(TTL);
    expect(follower.epoch()).toBe(2);
    expect(elected).toHaveLength(2);
    await follower.stop();
  });

  it("elects the other candidate after a killed leader's deadline, within 2 x ttl", async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const ttl = 1200;
    const buses = [await fx.bus('cand-a'), await fx.bus('cand-b')];
    const elections = await Promise.all(
      buses.map(
        async (bus, i) =>
          new LeaderElection({
            store: await LeaseStore.open(bus),
            name: 'supervisor',
            candidate: `cand-${i}`,
            ttlMs: ttl,
          })
      )
    );
    await Promise.all(elections.map((e) => e.start()));
    const leaderIdx = (await check(() => elections.findIndex((e) => e.isLeader()) + 1, ttl, { name: 'a leader' })) - 1;
    const leader = elections[leaderIdx]!;
    const follower = elections[1 - leaderIdx]!;
    let deposed = false;
    leader.on('deposed', () => (deposed = true));
    const readBus = await fx.bus('reader');
    const before = (await (await LeaseStore.open(readBus)).readStrict('singleton.supervisor'))!;

    const killedAt = Date.now();
    await buses[leaderIdx]!.nc.close(); // no release: only the deadline frees the lease
    await check(() => follower.isLeader(), 2 * ttl, { name: 'follower elected after the deadline' });
    const electedAt = Date.now();
    expect(electedAt).toBeGreaterThanOrEqual(before.deadline);
    expect(electedAt - killedAt).toBeLessThanOrEqual(2 * ttl);
    expect(follower.epoch()).toBe(before.epoch + 1);
    // the cut-off leader deposes itself by its own clock
    await check(() => deposed, ttl, { name: 'old leader deposed' });
    expect(leader.isLeader()).toBe(false);
    await follower.stop();
    await leader.stop();
  });
});

describe('supervisor HostRegistry (real nats-server)', () => {
  it('lists live hosts by their deadlines, and drops removed ones', async () => {
    await using nats = await startNats();
    await using fx = await fixture(nats.url);
    const bus = await fx.bus();
    const reg = await HostRegistry.open(bus);
    const info = { partitions: [0, 2], startedAt: Date.now(), pid: process.pid, version: '0.1.0' };
    await reg.heartbeat('host-short', info, 600);
    await reg.heartbeat('host-long', { ...info, partitions: [1, 3] }, 60_000);
    await (await bus.kvm.open('oi_health')).put('host.garbage', 'nope');
    expect((await reg.live()).map((h) => h.hostId)).toEqual(['host-long', 'host-short']);

    await check(async () => (await reg.live()).length === 1, 3000, { name: 'short host expired' });
    const scan = await reg.scan();
    expect(scan.live.map((h) => h.hostId)).toEqual(['host-long']);
    expect(scan.live[0]!.partitions).toEqual([1, 3]);
    expect(scan.expired.map((h) => h.hostId)).toEqual(['host-short']);
    expect(scan.invalid.map((i) => i.key)).toEqual(['host.garbage']);

    await reg.remove('host-long');
    expect(await reg.live()).toEqual([]);
  });
});
