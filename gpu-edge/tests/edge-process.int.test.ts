import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectBus, defaultTopology, provision, publish, type Bus } from '../../bus/index.js';
import { silentLogger } from '../../config/index.js';
import {
  actionV1,
  decodeEnvelope,
  engineTelemetryV1,
  subjects,
  type ActionResult,
  type EngineTelemetry,
  type Notice,
} from '../../schemas/index.js';
import { planMemory, getGpu, getModel } from '../../sim/index.js';
import { check, freePort, startNats } from '../../testkit/index.js';
import { actionResultV1, noticeV1 } from '../../schemas/index.js';
import { parseEngineConfig } from '../engine/engine-config.js';
import { simAdapter } from '../engine/sim-adapter.js';
import { startEdge, type Edge } from '../process.js';

const NODE = 'gpu-n1';
const WL = 'wl-chat';
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

interface Seen {
  results: ActionResult[];
  notices: Notice[];
  engineTel: EngineTelemetry[];
}

/** Everything the edge says, read off core NATS as it is published. */
function listen(bus: Bus): Seen {
  const seen: Seen = { results: [], notices: [], engineTel: [] };
  const take = (subject: string, f: (data: Uint8Array) => void): void => {
    const sub = bus.nc.subscribe(subject);
    void (async () => {
      for await (const m of sub) f(m.data);
    })();
  };
  take(`oi.v1.evt.edge.*.${WL}`, (data) => {
    const d = decodeEnvelope(data, [actionResultV1, noticeV1]);
    if (!d.ok) throw new Error(d.error.reason);
    if (d.envelope.schema === actionResultV1.id) seen.results.push(d.envelope.data as ActionResult);
    else seen.notices.push(d.envelope.data as Notice);
  });
  take(`oi.v1.tel.engine.${WL}.${NODE}`, (data) => {
    const d = decodeEnvelope(data, [engineTelemetryV1]);
    if (d.ok) seen.engineTel.push(d.envelope.data as EngineTelemetry);
  });
  return seen;
}

let seq = 0;
async function act(
  bus: Bus,
  verb: string,
  o: { decision: string; epoch: number; params?: Record<string, unknown>; action?: string }
): Promise<string> {
  const actionId = o.action ?? `act-${Date.now()}-${seq++}`;
  await publish(
    bus.js,
    subjects.act(NODE, verb),
    actionV1,
    {
      action_id: actionId,
      decision_id: o.decision,
      node: NODE,
      workload: WL,
      verb,
      params: o.params ?? {},
      epoch: o.epoch,
      deadline: new Date(Date.now() + 120_000).toISOString(),
    },
    { source: 'executor:test' }
  );
  return actionId;
}

async function edgeOn(bus: Bus, statePath: string, port: number): Promise<Edge> {
  return startEdge({
    bus,
    node: NODE,
    workload: WL,
    partitions: 4,
    adapter: simAdapter({ gpu: 'H100-SXM', port, loadTimeSec: 0.3 }),
    config: parseEngineConfig({ v: 1, model: MODEL, maxModelLen: 8192 }),
    statePath,
    telemetryIntervalMs: 250,
    healthTimeoutMs: 20_000,
    healthPollMs: 100,
    verifyWindowMs: 800,
    verifyPollMs: 200,
    stopGraceMs: 3_000,
    restartBackoffMs: 100,
    ackWaitMs: 5_000,
    logger: silentLogger,
  });
}

async function withEdge(
  fn: (ctx: {
    bus: Bus;
    seen: Seen;
    statePath: string;
    port: number;
    nats: Awaited<ReturnType<typeof startNats>>;
  }) => Promise<void>
): Promise<void> {
  await using nats = await startNats();
  const dir = await mkdtemp(join(tmpdir(), 'oi-edge-'));
  const bus = await connectBus({ servers: nats.url, name: 'edge-test' });
  try {
    await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
    await fn({ bus, seen: listen(bus), statePath: join(dir, `${NODE}.json`), port: await freePort(), nats });
  } finally {
    await bus.drain();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('gpu-edge process over NATS (real nats-server and sim engine processes)', () => {
  it('reconfigures on an action, reports the result, and telemetry shows the new config', async () => {
    await withEdge(async ({ bus, seen, statePath, port }) => {
      await using edge = await edgeOn(bus, statePath, port);
      const id = await act(bus, 'engine.reconfigure', {
        decision: 'dec-reconf-1',
        epoch: 1,
        params: { action: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.85 } } },
      });
      const r = await check(() => seen.results.find((x) => x.action_id === id), 30_000, { name: 'result' });
      expect(r.status, r.detail).toBe('succeeded');
      // KV capacity from the catalog's memory plan at 0.85 (the engine's own plan): blocks × 16 tokens
      const kv = planMemory({ gpu: getGpu('H100-SXM'), model: getModel(MODEL), gpuMemoryUtilization: 0.85 });
      const before = seen.engineTel.length;
      const t = await check(
        () => seen.engineTel.slice(before).find((x) => x.up && x.kv_capacity_tokens === kv.kvCapacityTokens),
        10_000,
        { name: 'telemetry with the new KV capacity' }
      );
      expect(t.up).toBe(true);
      expect(r.metrics_after?.kv_capacity_tokens).toBe(kv.kvCapacityTokens);
      // before: no flag given, so the simulator's default utilisation, 0.92 (sim/catalog planMemory)
      const kvBefore = planMemory({ gpu: getGpu('H100-SXM'), model: getModel(MODEL), gpuMemoryUtilization: 0.92 });
      expect(r.metrics_before?.kv_capacity_tokens).toBe(kvBefore.kvCapacityTokens);
      expect(edge.controller.lastGood.gpuMemoryUtilization).toBe(0.85);
    });
  });

  it('runs a duplicate decision once and refuses a stale epoch, also after the edge restarts', async () => {
    await withEdge(async ({ bus, seen, statePath, port }) => {
      {
        await using edge = await edgeOn(bus, statePath, port);
        const first = await act(bus, 'engine.restart', { decision: 'dec-restart-1', epoch: 5 });
        const again = await act(bus, 'engine.restart', { decision: 'dec-restart-1', epoch: 5 });
        await check(() => seen.notices.find((n) => n.event === 'action_duplicate'), 30_000, { name: 'duplicate' });
        expect(seen.results.filter((r) => r.decision_id === 'dec-restart-1').map((r) => r.action_id)).toEqual([first]);
        expect(seen.notices.find((n) => n.event === 'action_duplicate')?.attrs.action_id).toBe(again);
        expect(edge.controller.status().changes.succeeded).toBe(1);

        const stale = await act(bus, 'engine.restart', { decision: 'dec-restart-2', epoch: 4 });
        const r = await check(() => seen.results.find((x) => x.action_id === stale), 10_000, { name: 'stale' });
        expect(r).toMatchObject({ status: 'failed' });
        expect(r.detail).toMatch(/refused: stale epoch 4 for partition \d+: highest seen is 5/);
        expect(edge.controller.status().changes.succeeded).toBe(1);
      }
      // a new edge process on the same node reads the marks and done decisions from its state file
      await using edge2 = await edgeOn(bus, statePath, port);
      const stale2 = await act(bus, 'engine.status', { decision: 'dec-status-1', epoch: 3 });
      const r2 = await check(() => seen.results.find((x) => x.action_id === stale2), 20_000, { name: 'stale2' });
      expect(r2.detail).toMatch(/stale epoch 3 .* highest seen is 5/);
      const dup = await act(bus, 'engine.restart', { decision: 'dec-restart-1', epoch: 5 });
      await check(() => seen.notices.find((n) => n.event === 'action_duplicate' && n.attrs.action_id === dup), 10_000);
      expect(edge2.controller.status().changes.succeeded).toBe(0);
    });
  });

  it('survives its engine dying and NATS restarting, and reports both', async () => {
    await withEdge(async ({ bus, seen, statePath, port, nats }) => {
      await using edge = await edgeOn(bus, statePath, port);
      const dead = edge.controller.instance!.pid;
      process.kill(dead, 'SIGKILL');
      await check(() => seen.notices.find((n) => n.event === 'engine_restarted'), 20_000, { name: 'restarted' });
      const died = seen.notices.find((n) => n.event === 'engine_died');
      expect(died).toMatchObject({ severity: 'critical', attrs: { pid: dead, signal: 'SIGKILL', node: NODE } });
      expect(edge.controller.instance!.pid).not.toBe(dead);

      await nats.restart();
      await check(() => seen.notices.find((n) => n.event === 'nats_reconnected'), 20_000, { name: 'reconnected' });
      expect(edge.stats().natsReconnects).toBeGreaterThanOrEqual(1);
      // actions still flow after the restart, and the engine kept serving through it
      const id = await act(bus, 'engine.status', { decision: 'dec-status-after', epoch: 1 });
      const r = await check(() => seen.results.find((x) => x.action_id === id), 20_000, { name: 'status result' });
      expect(r.status).toBe('succeeded');
      expect(JSON.parse(r.detail)).toMatchObject({ state: 'healthy', restarts: 1, engine: 'sim' });
    });
  });
});
