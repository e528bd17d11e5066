import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverPolicy } from '@nats-io/jetstream';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../testkit/index.js';
import { connectBus, encodeEnvelope, makeEnvelope, publish, request, type Bus } from '../../bus/index.js';
import {
  clockAckV1,
  clockTickV1,
  decodeEnvelope,
  exampleOf,
  gpuTelemetryV1,
  STREAMS,
  subjects,
  supervisorStatusV1,
  type DataOf,
  type supervisorStateV1,
} from '../../schemas/index.js';

const P = 8;
const TTL = 1_500;
type State = DataOf<typeof supervisorStateV1>;

describe('supervisor and hosts as operators see them, and the lockstep clock', () => {
  let nats: NatsServerHandle;
  let pg: TestDatabase;
  let chDb: TestDatabase;
  let bus: Bus;
  let env: Record<string, string>;
  const procs: OiProcess[] = [];

  const status = async (): Promise<State> =>
    (await request(bus.nc, subjects.cmd('supervisor', 'status'), supervisorStatusV1, {}, { source: 'test' }))
      .data as State;

  beforeAll(async () => {
    nats = await startNats();
    pg = await (await sharedPostgres()).createDatabase('ops');
    const ch = await sharedClickHouse();
    chDb = await ch.createDatabase('ops');
    env = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: ch.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: String(P),
      OI_LEASE_TTL_MS: String(TTL),
      OI_ACK_WAIT_MS: String(4 * TTL),
      OI_HOST_ACTORS: 'probe',
    };
    procs.push(startOiProcess('supervisor', env));
    bus = await connectBus({ servers: nats.url, name: 'test' });
    await check(() => status().catch(() => undefined), 60_000, { name: 'supervisor status answering' }).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}\n${procs[0]!.getLog().slice(-3_000)}`);
      }
    );
    procs.push(startOiProcess('host', { ...env, OI_HOST_ID: 'ops-h1' }));
    procs.push(startOiProcess('host', { ...env, OI_HOST_ID: 'ops-h2' }));
    await check(
      async () => {
        const s = await status();
        // both hosts assigned a share and holding it: a host that just joined may not have its share yet
        return s.hosts.length === 2 &&
          s.hosts.every((h) => h.assigned > 0 && h.held === h.assigned) &&
          s.leases.filter((l) => l.live && l.holder === l.assigned_to).length === P
          ? s
          : undefined;
      },
      60_000,
      { name: 'two hosts holding every partition' }
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(3_000)));
    await bus?.drain();
    await pg?.drop();
    await chDb?.drop();
    await nats?.stop();
  });

  it('oi.v1.cmd.supervisor.status shows the leader, hosts, partitions per host, lease ages and epochs', async () => {
    const s = await status();
    expect(s.leader?.holder).toMatch(/^sup-\d+-/);
    expect(s.partitions).toBe(P);
    expect(s.unassigned).toEqual([]);
    expect(s.hosts.map((h) => h.host).sort()).toEqual(['ops-h1', 'ops-h2']);
    expect(s.hosts.reduce((n, h) => n + h.held, 0)).toBe(P);
    for (const h of s.hosts) {
      expect(h.held).toBe(h.assigned);
      expect(h.heartbeat_age_ms).toBeLessThan(TTL);
    }
    for (const l of s.leases) {
      expect(l.epoch).toBeGreaterThanOrEqual(1);
      expect(l.age_ms).toBeLessThan(TTL);
    }
  });

  it('hosts and the supervisor answer $SRV.STATS / $SRV.INFO as `nats micro` reads them', async () => {
    const replies: Array<{ metadata: { host: string }; endpoints: Array<{ data: { partitions: number[] } }> }> = [];
    const sub = bus.nc.subscribe('_INBOX.stats', { max: 2 });
    const got = (async () => {
      for await (const m of sub) replies.push(m.json());
    })();
    bus.nc.publish('$SRV.STATS.oi-host', '', { reply: '_INBOX.stats' });
    await Promise.race([got, new Promise((r) => setTimeout(r, 3_000))]);
    expect(replies.map((r) => r.metadata.host).sort()).toEqual(['ops-h1', 'ops-h2']);
    const s = await status();
    for (const r of replies) {
      const held = s.leases.filter((l) => l.live && l.holder === r.metadata.host).map((l) => l.partition);
      expect(r.endpoints[0]!.data.partitions).toEqual(held);
    }
    const info = (await bus.nc.request('$SRV.INFO.oi-supervisor', '', { timeout: 2_000 })).json<{
      endpoints: Array<{ subject: string }>;
    }>();
    expect(info.endpoints.map((e) => e.subject)).toContain('oi.v1.cmd.supervisor.status');
  });

  it('optiinfra status prints hosts with held/assigned partitions and lease epochs', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('../../cli/main.ts', import.meta.url)), 'status'],
        { env: { ...process.env, ...env } }
      );
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.once('error', reject);
      p.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    expect(out).toMatch(/supervisor leader: sup-\d+-\S+ \(epoch \d+/);
    expect(out).toMatch(/ops-h1: \d+\/\d+ held\/assigned \[[\d,-]+\]/);
    expect(out).toMatch(/leases: 8 live, 0 expired; epochs \d+\.\.\d+/);
  });

  it('hosts acknowledge tick t only once every message stamped before t is processed', async () => {
    const acks: Array<DataOf<typeof clockAckV1>> = [];
    const sub = bus.nc.subscribe(subjects.clockAck, {
      callback: (_e, m) => {
        const d = decodeEnvelope(m.data, [clockAckV1]);
        if (d.ok) acks.push(d.envelope.data as DataOf<typeof clockAckV1>);
      },
    });
    const t = new Date('2026-01-01T00:01:00Z');
    const ids: string[] = [];
    const sample = exampleOf(gpuTelemetryV1);
    for (let i = 0; i < 200; i++) {
      const w = `wl-clock-${i % 20}`;
      const r = await publish(
        bus.js,
        subjects.tel('gpu', w, 'n1'),
        gpuTelemetryV1,
        { ...sample, workload: w },
        {
          source: 'sim',
          ts: new Date(t.getTime() - 60_000 + i * 100),
        }
      );
      ids.push(r.envelope.id);
    }
    // the tick goes out at once: the hosts, not the publisher, must wait for the processing
    const tick = makeEnvelope(clockTickV1, { seq: 1, t: t.toISOString() }, { source: 'sim' });
    bus.nc.publish(subjects.clockTick, encodeEnvelope(tick));
    await check(
      () => (new Set(acks.filter((a) => a.seq === 1).map((a) => a.host)).size === 2 ? true : undefined),
      30_000,
      {
        name: 'both hosts acked tick 1',
      }
    );
    sub.unsubscribe();
    const ackedPartitions = acks.flatMap((a) => a.partitions).sort((a, b) => a - b);
    expect(ackedPartitions).toEqual(Array.from({ length: P }, (_, i) => i));

    // at the moment of the acks, every message before t had its effect stored
    const effects = new Set<string>();
    const c = await bus.js.consumers.get(STREAMS.rec, {
      filter_subjects: ['oi.v1.rec.probe.>'],
      deliver_policy: DeliverPolicy.All,
    });
    const total = (await bus.jsm.streams.info(STREAMS.rec)).state.messages;
    const iter = await c.fetch({ max_messages: total, expires: 2_000 });
    for await (const m of iter) {
      const d = decodeEnvelope(m.data);
      if (d.ok) effects.add((d.envelope.data as { message_id: string }).message_id);
    }
    expect(ids.filter((id) => !effects.has(id))).toEqual([]);
  });
});
