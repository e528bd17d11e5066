import { describe, expect, it } from 'vitest';
import { check, startNats } from '../../testkit/index.js';
import {
  exampleOf,
  getWorkloadV1,
  gpuTelemetryV1,
  partitionOf,
  STREAMS,
  subjects,
  workloadRecordV1,
  type DlqEntry,
  type Envelope,
} from '../../schemas/index.js';
import {
  connectBus,
  consume,
  defaultTopology,
  isOiError,
  makeEnvelope,
  OiError,
  provision,
  publishEnvelope,
  request,
  serveCommands,
  telConsumerName,
  type Bus,
  type CommandEndpoint,
} from '../index.js';

const P = 4;

function endpoint(handle: CommandEndpoint['handle']): CommandEndpoint {
  return {
    name: 'get',
    subject: subjects.cmd('workload', 'get'),
    accept: [getWorkloadV1],
    reply: workloadRecordV1,
    handle,
  };
}

const notFound = (): Promise<never> => Promise.reject(new OiError('OI_NOT_FOUND', 'no such workload'));

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string; rule?: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e
  );
  if (!isOiError(err)) throw new Error(`expected an OiError, got ${String(err)}`);
  return { code: err.code, message: err.summary, ...(err.issues[0] ? { rule: err.issues[0].rule } : {}) };
}

describe('bus limits: payload size per subject class, command rate per caller, commands in flight', () => {
  it('refuses to publish over the class limit and dead-letters an oversize message it receives', async () => {
    await using nats = await startNats();
    await using bus: Bus = await connectBus({ servers: nats.url, name: 'limits' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: P }));
    const subject = subjects.tel('gpu', 'wl-big', 'n1');
    const env = makeEnvelope(gpuTelemetryV1, { ...exampleOf(gpuTelemetryV1), driver_version: '1' }, { source: 't' });
    const big: Envelope = { ...env, source: 'x'.repeat(130 * 1024) };
    const refused = await codeOf(publishEnvelope(bus.js, subject, big));
    expect(refused.code).toBe('OI_PAYLOAD_TOO_LARGE');
    expect(refused.message).toMatch(
      /^payload on oi\.v1\.tel\.gpu\.wl-big\.n1 is \d+ bytes; the limit for oi\.v1\.tel is 131072 bytes$/
    );
    expect((await bus.jsm.streams.info(STREAMS.tel)).state.messages).toBe(0);

    // a publisher that bypasses the bus (raw client) meets the consumer's check
    const raw = new TextEncoder().encode(JSON.stringify(big));
    await bus.js.publish(subject, raw, { msgID: big.id });
    const handled: string[] = [];
    const h = await consume(bus.js, {
      stream: STREAMS.tel,
      consumer: telConsumerName(partitionOf('wl-big', P)),
      accept: [gpuTelemetryV1],
      source: 'limits-test',
      handler: (e) => {
        handled.push(e.id);
        return Promise.resolve();
      },
    });
    await check(() => h.stats.deadLettered === 1, 10_000, { name: 'oversize dead-lettered' });
    await h.stop();
    expect(handled).toEqual([]);
    const dlq = await bus.jsm.streams.getMessage(STREAMS.dlq, { last_by_subj: subjects.dlq(STREAMS.tel) });
    const entry = dlq!.json<Envelope<DlqEntry>>().data;
    expect(entry.reason).toContain('the limit for oi.v1.tel is 131072 bytes');
    expect(entry.issues[0]).toMatchObject({ path: '(root)', rule: 'max_size' });
    // a flood of oversize bytes is not copied into the DLQ: a hash and the size
    expect(entry).toMatchObject({ payload_size: raw.byteLength });
    expect(entry.payload_b64).toBeUndefined();
  });

  it('answers OI_UNAVAILABLE naming the rate once a caller spends its burst, per caller', async () => {
    await using nats = await startNats();
    await using bus: Bus = await connectBus({ servers: nats.url, name: 'limits' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 1 }));
    let handled = 0;
    await serveCommands(bus, {
      name: 'oi-limits',
      version: '0.0.1',
      description: 'rate-limited',
      source: 'limits-test',
      rateLimit: { ratePerSec: 0.01, burst: 3 },
      endpoints: [endpoint(() => (handled++, notFound()))],
    });
    const send = (caller: string) =>
      codeOf(
        request(bus.nc, subjects.cmd('workload', 'get'), getWorkloadV1, { workload: 'w' }, { source: 't', caller })
      );
    const alice = [];
    for (let i = 0; i < 5; i++) alice.push(await send('cli:alice'));
    expect(alice.map((r) => r.code)).toEqual([
      'OI_NOT_FOUND',
      'OI_NOT_FOUND',
      'OI_NOT_FOUND',
      'OI_UNAVAILABLE',
      'OI_UNAVAILABLE',
    ]);
    expect(alice[3]).toMatchObject({ rule: 'rate_limit' });
    expect(alice[3]!.message).toMatch(/^cli:alice exceeded 0\.01 commands\/s \(bursts of 3\); retry in \d+ ms$/);
    expect((await send('cli:bob')).code).toBe('OI_NOT_FOUND');
    expect(handled).toBe(4);
    // refusals write nothing: no dead letter for a limit
    expect((await bus.jsm.streams.info(STREAMS.dlq)).state.messages).toBe(0);
  });

  it('refuses new commands while maxInFlight are being handled', async () => {
    await using nats = await startNats();
    await using bus: Bus = await connectBus({ servers: nats.url, name: 'limits' });
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 1 }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await serveCommands(bus, {
      name: 'oi-limits',
      version: '0.0.1',
      description: 'slow',
      source: 'limits-test',
      maxInFlight: 2,
      endpoints: [endpoint(() => gate.then(notFound))],
    });
    const send = () =>
      codeOf(
        request(
          bus.nc,
          subjects.cmd('workload', 'get'),
          getWorkloadV1,
          { workload: 'w' },
          { source: 't', timeoutMs: 10_000 }
        )
      );
    const first = [send(), send()];
    await new Promise((r) => setTimeout(r, 300));
    const third = await send();
    expect(third).toMatchObject({
      code: 'OI_UNAVAILABLE',
      rule: 'in_flight',
      message: '2 commands in flight; the limit is 2',
    });
    release();
    expect((await Promise.all(first)).map((r) => r.code)).toEqual(['OI_NOT_FOUND', 'OI_NOT_FOUND']);
    expect((await send()).code).toBe('OI_NOT_FOUND');
  });
});
