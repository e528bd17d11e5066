import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { check, startNats, type NatsServerHandle } from '../../testkit/index.js';
import {
  connectBus,
  defaultTopology,
  OiError,
  provision,
  publish,
  request,
  requestEnvelope,
  serveCommands,
  makeEnvelope,
  telConsumerName,
  type Bus,
} from '../../bus/index.js';
import {
  actionV1,
  exampleOf,
  gpuTelemetryV1,
  KV_BUCKETS,
  partitionOf,
  STREAMS,
  subjects,
  getWorkloadV1,
  workloadRecordV1,
} from '../../schemas/index.js';
import { CredentialStore, principal, SERVICE_ROLES, type Principal } from '../index.js';

const P = 4;
const WL = 'wl-auth';

describe('security NATS authorization per role (real nats-server with the generated config)', () => {
  let dir: string;
  let store: CredentialStore;
  let nats: NatsServerHandle;
  const buses = new Map<string, Bus>();
  const seen: { caller: string; authenticated: boolean }[] = [];

  const as = async (p: Principal): Promise<Bus> => {
    const bus = await connectBus({
      servers: nats.url,
      name: `test-${p.user}`,
      user: p.user,
      pass: await store.password(p.user),
      jsTimeoutMs: 1_500,
    });
    buses.set(p.user, bus);
    return bus;
  };
  const bus = (user: string): Bus => buses.get(user)!;
  // nats-server logs each refusal: `Publish Violation - User "edge-n1", Subject "oi.v1.tel.gpu.w.n2"`
  const violated = async (kind: 'Publish' | 'Subscription', user: string, subject: string): Promise<void> => {
    const line = `${kind} Violation - User "${user}", Subject "${subject}"`;
    await check(() => nats.getLog().includes(line), 5_000, { name: line });
  };

  const edge1 = principal('edge', { node: 'n1' });
  const edge2 = principal('edge', { node: 'n2' });
  const alice = principal('operator', { name: 'alice' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oi-creds-'));
    store = new CredentialStore(join(dir, 'creds'));
    for (const role of SERVICE_ROLES) await store.ensure(principal(role));
    for (const p of [edge1, edge2, alice]) await store.ensure(p);
    nats = await startNats({ configFile: await store.writeAuthConfig() });
    for (const p of [principal('supervisor'), principal('host'), principal('ingest'), edge1, edge2, alice]) await as(p);
    const sup = bus('supervisor');
    await provision(sup.jsm, sup.kvm, defaultTopology({ partitions: P }));
    await serveCommands(sup, {
      name: 'oi-authz-test',
      version: '0.0.1',
      description: 'records who called',
      source: 'authz-test',
      endpoints: [
        {
          name: 'get',
          subject: subjects.cmd('workload', 'get'),
          accept: [getWorkloadV1],
          reply: workloadRecordV1,
          handle: (_env, ctx) => {
            seen.push({ caller: ctx.caller, authenticated: ctx.authenticated });
            return Promise.reject(new OiError('OI_NOT_FOUND', 'no such workload'));
          },
        },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    for (const b of buses.values()) await b.drain().catch(() => undefined);
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a client without credentials', async () => {
    await expect(connectBus({ servers: nats.url, name: 'anonymous' })).rejects.toThrow(/authorization|auth/i);
    await expect(
      connectBus({ servers: nats.url, name: 'wrong', user: edge1.user, pass: 'not-the-password' })
    ).rejects.toThrow(/authorization|auth/i);
  });

  it('keeps the credentials directory 0700 and its files 0600', async () => {
    await expect(store.checkModes()).resolves.toBeUndefined();
  });

  it('lets an edge publish its own telemetry but not another node’s', async () => {
    const data = { ...exampleOf(gpuTelemetryV1), workload: WL };
    const own = await publish(
      bus(edge1.user).js,
      subjects.tel('gpu', WL, 'n1'),
      gpuTelemetryV1,
      { ...data, node: 'n1' },
      {
        source: 'edge-n1',
      }
    );
    expect(own.ack.stream).toBe(STREAMS.tel);
    await expect(
      publish(
        bus(edge1.user).js,
        subjects.tel('gpu', WL, 'n2'),
        gpuTelemetryV1,
        { ...data, node: 'n2' },
        {
          source: 'edge-n1',
          retry: { deadlineMs: 1_000 },
        }
      )
    ).rejects.toThrow();
    await violated('Publish', edge1.user, 'oi.v1.tel.gpu.wl-auth.n2');
    const stored = await bus('supervisor').jsm.streams.info(STREAMS.tel, { subjects_filter: 'oi.v1.tel.>' });
    const subjectsStored = Object.keys(stored.state.subjects ?? {});
    expect(subjectsStored.some((s) => s.endsWith('.n1'))).toBe(true);
    expect(subjectsStored.some((s) => s.endsWith('.n2'))).toBe(false);
  });

  it('lets an edge pull its own action queue but never another node’s', async () => {
    const sup = bus('supervisor');
    const action = exampleOf(actionV1);
    await publish(sup.js, subjects.act('n2', 'engine.restart'), actionV1, action, { source: 'executor' });
    await publish(sup.js, subjects.act('n1', 'engine.restart'), actionV1, action, { source: 'executor' });
    // each edge creates its durable (the topology cannot know nodes) and pulls its own action
    for (const [p, node] of [
      [edge1, 'n1'],
      [edge2, 'n2'],
    ] as const) {
      const b = bus(p.user);
      await b.jsm.consumers.add(STREAMS.act, {
        durable_name: `oi-act-${node}`,
        filter_subject: subjects.actForNode(node),
        ack_policy: AckPolicy.Explicit,
      });
      const c = await b.js.consumers.get(STREAMS.act, `oi-act-${node}`);
      const m = await c.next({ expires: 2_000 });
      expect(m?.subject).toBe(`oi.v1.act.${node}.engine.restart`);
      m!.ack();
    }
    const e1 = bus(edge1.user);
    await expect(e1.js.consumers.get(STREAMS.act, 'oi-act-n2')).rejects.toThrow();
    await violated('Publish', edge1.user, '$JS.API.CONSUMER.INFO.OI_ACT.oi-act-n2');
    // its own durable name with another node's filter
    await expect(
      e1.jsm.consumers.add(STREAMS.act, {
        durable_name: 'oi-act-n1',
        filter_subject: subjects.actForNode('n2'),
        ack_policy: AckPolicy.Explicit,
      })
    ).rejects.toThrow();
    await violated('Publish', edge1.user, '$JS.API.CONSUMER.CREATE.OI_ACT.oi-act-n1.oi.v1.act.n2.>');
    await expect(
      e1.jsm.streams.getMessage(STREAMS.act, { last_by_subj: 'oi.v1.act.n2.engine.restart' })
    ).rejects.toThrow();
    // live subjects and other clients' inboxes are closed to it too
    for (const subject of ['oi.v1.act.n2.>', '_INBOX_edge-n2.>', '_INBOX.>', '>']) {
      const sub = e1.nc.subscribe(subject);
      await violated('Subscription', edge1.user, subject);
      await expect(sub.closed).resolves.toBeInstanceOf(Error);
    }
  });

  it('refuses commands from an edge and from ingest, and names the operator from its credentials', async () => {
    const get = { workload: WL };
    for (const user of [edge1.user, 'ingest']) {
      await expect(
        request(bus(user).nc, subjects.cmd('workload', 'get'), getWorkloadV1, get, { source: user, timeoutMs: 1_000 })
      ).rejects.toThrow();
      await violated('Publish', user, `oi.as.${user}.oi.v1.cmd.workload.get`);
      const raw = makeEnvelope(getWorkloadV1, get, { source: user });
      await expect(
        bus(user).nc.request(subjects.cmd('workload', 'get'), JSON.stringify(raw), { timeout: 1_000 })
      ).rejects.toThrow();
    }
    expect(seen).toEqual([]);

    // the operator: a header claiming someone else changes nothing
    const op = bus(alice.user);
    await expect(
      request(op.nc, subjects.cmd('workload', 'get'), getWorkloadV1, get, {
        source: 'cli:mallory',
        caller: 'cli:bob',
      })
    ).rejects.toMatchObject({ code: 'OI_NOT_FOUND' });
    expect(seen).toEqual([{ caller: 'nats:op-alice', authenticated: true }]);
    // nor can it publish under another user's scope or on the unscoped subject
    const env = makeEnvelope(getWorkloadV1, get, { source: 'cli:alice' });
    for (const subject of ['oi.as.op-bob.oi.v1.cmd.workload.get', 'oi.v1.cmd.workload.get']) {
      await expect(op.nc.request(subject, JSON.stringify(env), { timeout: 1_000 })).rejects.toThrow();
      await violated('Publish', alice.user, subject);
    }
    expect(seen).toHaveLength(1);
    // a trusted service role on the plain subject is not an authenticated caller
    await expect(
      requestEnvelope(bus('supervisor').nc, 'oi.v1.cmd.workload.get', env, { caller: 'cli:alice' })
    ).rejects.toMatchObject({ code: 'OI_NOT_FOUND' });
    expect(seen[1]).toEqual({ caller: 'nats:supervisor', authenticated: true });
  });

  it('lets ingest read telemetry but not publish it', async () => {
    const ing = bus('ingest');
    const part = partitionOf(WL, P);
    await ing.jsm.consumers.add(STREAMS.tel, {
      durable_name: `oi-ingest-tel-p${part}`,
      filter_subject: subjects.telPartition(part),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const m = await (await ing.js.consumers.get(STREAMS.tel, `oi-ingest-tel-p${part}`)).next({ expires: 2_000 });
    expect(m?.subject).toBe(subjects.telStored(part, 'gpu', WL, 'n1'));
    m!.ack();
    await expect(
      publish(
        ing.js,
        subjects.tel('gpu', WL, 'n1'),
        gpuTelemetryV1,
        { ...exampleOf(gpuTelemetryV1), node: 'n1' },
        {
          source: 'ingest',
          retry: { deadlineMs: 1_000 },
        }
      )
    ).rejects.toThrow();
    await violated('Publish', 'ingest', 'oi.v1.tel.gpu.wl-auth.n1');
  });

  it('lets a host take a lease, pull its partition and publish its effects', async () => {
    const host = bus('host');
    const part = partitionOf(WL, P);
    const leases = await host.kvm.open(KV_BUCKETS.leases);
    await leases.put(`partition.${part}`, JSON.stringify({ holder: 'host-1', epoch: 1 }));
    expect((await leases.get(`partition.${part}`))?.string()).toContain('host-1');
    const c = await host.js.consumers.get(STREAMS.tel, telConsumerName(part));
    const m = await c.next({ expires: 2_000 });
    expect(m?.subject).toBe(subjects.telStored(part, 'gpu', WL, 'n1'));
    m!.ack();
    const fx = await publish(host.js, 'oi.v1.rec.probe.wl-auth', gpuTelemetryV1, exampleOf(gpuTelemetryV1), {
      source: 'host-1',
    });
    expect(fx.ack.stream).toBe(STREAMS.rec);
    await expect(
      publish(host.js, subjects.act('n1', 'engine.restart'), actionV1, exampleOf(actionV1), {
        source: 'host-1',
        retry: { deadlineMs: 1_000 },
      })
    ).rejects.toThrow();
    await violated('Publish', 'host', 'oi.v1.act.n1.engine.restart');
  });
});
