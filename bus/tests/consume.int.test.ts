import { describe, expect, it } from 'vitest';
import { check, startNats } from '../../testkit/index.js';
import { SchemaError, dlqEntryV1, exampleOf, subjects, gpuTelemetryV1, type DlqEntry } from '../../schemas/index.js';
import {
  connectBus,
  consume,
  defaultTopology,
  listDeadLetters,
  provision,
  publish,
  redrive,
  telConsumerName,
  type Bus,
} from '../index.js';
import { partitionOf } from '../../schemas/index.js';

const P = 4;

async function setup(url: string): Promise<Bus> {
  const bus = await connectBus({ servers: url, name: 'test' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P }));
  return bus;
}

const gpuSample = exampleOf(gpuTelemetryV1) as unknown as Record<string, unknown>;

describe('bus publish and consume', () => {
  it('refuses to publish invalid data, naming field and rule, and sends nothing', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    const bad = { ...gpuSample, gpus: [{ ...(gpuSample.gpus as object[])[0], util_pct: 140 }] };
    const err = await publish(bus.js, subjects.tel('gpu', 'wl-1', 'n1'), gpuTelemetryV1, bad as never, {
      source: 't',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).issues).toContainEqual(
      expect.objectContaining({ path: 'data.gpus[0].util_pct', rule: 'too_big' })
    );
    expect((await bus.jsm.streams.info('OI_TEL')).state.messages).toBe(0);
  });

  it('hands valid messages to the handler and dead-letters invalid and unknown ones with the reason', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    const wl = 'wl-dlq';
    const part = partitionOf(wl, P);
    const subj = subjects.tel('gpu', wl, 'n1');
    const got: string[] = [];
    const handle = await consume(bus.js, {
      stream: 'OI_TEL',
      consumer: telConsumerName(part),
      accept: [gpuTelemetryV1],
      source: 'test',
      handler: (env) => {
        got.push(env.id);
        return Promise.resolve();
      },
    });
    const ok = await publish(bus.js, subj, gpuTelemetryV1, { ...gpuSample, workload: wl } as never, { source: 't' });
    await bus.js.publish(subj, 'not json at all', { msgID: 'raw-1' });
    await bus.js.publish(
      subj,
      JSON.stringify({ schema: 'oi.tel.gpu.v9', id: 'unknown-1', ts: new Date().toISOString(), source: 't', data: {} })
    );
    const badData = {
      schema: gpuTelemetryV1.id,
      id: 'bad-data-1',
      ts: new Date().toISOString(),
      source: 't',
      data: { ...gpuSample, gpus: 'none' },
    };
    await bus.js.publish(subj, JSON.stringify(badData));

    await check(() => handle.stats.handled === 1 && handle.stats.deadLettered === 3, 10_000, { name: 'all handled' });
    expect(got).toEqual([ok.envelope.id]);
    const dead = await listDeadLetters(bus, { stream: 'OI_TEL' });
    const reasons = dead.map((d) => d.envelope.data.reason);
    expect(reasons[0]).toMatch(/payload is not JSON/);
    expect(reasons[1]).toMatch(/unknown schema oi\.tel\.gpu\.v9/);
    expect(reasons[2]).toMatch(/invalid oi\.tel\.gpu\.v1: data\.gpus: .*\(invalid_type\)/);
    const last = dead[2]!.envelope.data;
    expect(last.issues[0]).toMatchObject({ path: 'data.gpus', rule: 'invalid_type' });
    expect(Buffer.from(last.payload_b64!, 'base64').toString()).toBe(JSON.stringify(badData));
    expect(last.subject).toBe(`oi.v1.tel.${part}.gpu.${wl}.n1`);
    await handle.stop();
  });

  it('dead-letters a message whose handler keeps failing, after maxDeliver tries', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    const wl = 'wl-poison';
    let calls = 0;
    const handle = await consume(bus.js, {
      stream: 'OI_TEL',
      consumer: telConsumerName(partitionOf(wl, P)),
      accept: [gpuTelemetryV1],
      source: 'test',
      maxDeliver: 3,
      backoffMs: () => 20,
      handler: () => {
        calls++;
        return Promise.reject(new Error('downstream refused'));
      },
    });
    await publish(bus.js, subjects.tel('gpu', wl, 'n1'), gpuTelemetryV1, { ...gpuSample, workload: wl } as never, {
      source: 't',
    });
    await check(() => handle.stats.deadLettered === 1, 10_000, { name: 'poison dead-lettered' });
    expect(calls).toBe(3);
    const [dead] = await listDeadLetters(bus);
    expect(dead!.envelope.data.reason).toMatch(/handler failed on delivery 3\/3: downstream refused/);
    expect(dead!.envelope.data.deliveries).toBe(3);
    await handle.stop();
  });

  it('keeps only a hash and the size of privacy-tiered app telemetry in the DLQ', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    const wl = 'wl-private';
    const handle = await consume(bus.js, {
      stream: 'OI_TEL',
      consumer: telConsumerName(partitionOf(wl, P)),
      accept: [gpuTelemetryV1],
      source: 'test',
      handler: () => Promise.resolve(),
    });
    const secret = JSON.stringify({ prompt: 'my medical history is …' });
    await bus.js.publish(subjects.tel('app', wl, 'n1'), secret);
    await check(() => handle.stats.deadLettered === 1, 10_000, { name: 'dead-lettered' });
    const raw = await bus.jsm.streams.getMessage('OI_DLQ', { last_by_subj: 'oi.v1.dlq.OI_TEL' });
    const text = new TextDecoder().decode(raw!.data);
    expect(text).not.toContain('medical');
    const entry = (JSON.parse(text) as { data: DlqEntry }).data;
    expect(entry.payload_b64).toBeUndefined();
    expect(entry.payload_size).toBe(Buffer.byteLength(secret));
    expect(entry.payload_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(dlqEntryV1.data.safeParse(entry).success).toBe(true);
    await handle.stop();
  });

  it('redrives a fixed telemetry message once', async () => {
    await using nats = await startNats();
    await using bus = await setup(nats.url);
    const wl = 'wl-fix';
    const got: unknown[] = [];
    const handle = await consume(bus.js, {
      stream: 'OI_TEL',
      consumer: telConsumerName(partitionOf(wl, P)),
      accept: [gpuTelemetryV1],
      source: 'test',
      handler: (env) => {
        got.push(env.data);
        return Promise.resolve();
      },
    });
    const bad = {
      schema: gpuTelemetryV1.id,
      id: 'fix-me-1',
      ts: new Date().toISOString(),
      source: 't',
      data: { ...gpuSample, workload: wl, gpus: 'none' },
    };
    await bus.js.publish(subjects.tel('gpu', wl, 'n1'), JSON.stringify(bad), { msgID: bad.id });
    await check(() => handle.stats.deadLettered === 1, 10_000, { name: 'dead-lettered' });
    const [dead] = await listDeadLetters(bus);

    await expect(redrive(bus, dead!.seq, { data: { ...bad.data, gpus: [{ nope: 1 }] } })).rejects.toThrow(
      /still invalid/
    );
    const result = await redrive(bus, dead!.seq, { data: { ...gpuSample, workload: wl } });
    expect(result.subject).toBe(subjects.tel('gpu', wl, 'n1'));
    await check(() => handle.stats.handled === 1, 10_000, { name: 'redriven handled' });
    await expect(redrive(bus, dead!.seq, { data: { ...gpuSample, workload: wl } })).rejects.toThrow(/no dead letter/);
    expect(got).toHaveLength(1);
    expect(await listDeadLetters(bus)).toEqual([]);
    await handle.stop();
  });
});
