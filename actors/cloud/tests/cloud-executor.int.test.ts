import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, defaultTopology, makeEnvelope, provision, type Bus } from '../../../bus/index.js';
import { decisionV1, type ActionSpec, type Decision } from '../../../schemas/index.js';
import { migratePostgres, openPostgres, type Postgres } from '../../../stores/index.js';
import { SimCloud } from '../../../sim/index.js';
import { sharedPostgres, startNats, type NatsServerHandle, type TestDatabase } from '../../../testkit/index.js';
import { CloudExecutor } from '../cloud-executor.js';

let nats: NatsServerHandle;
let bus: Bus;
let tdb: TestDatabase;
let db: Postgres;
beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: nats.url, name: 'exec-test' });
  await provision(bus.jsm, bus.kvm, defaultTopology({ partitions: 4 }));
  tdb = await (await sharedPostgres()).createDatabase('cloud_exec');
  db = openPostgres({ url: tdb.url });
  await migratePostgres(db);
});
afterAll(async () => {
  await bus?.drain();
  await db?.close();
  await tdb?.drop();
  await nats?.stop();
});

/** A simulated cloud whose clock runs 60 simulated seconds per 20 ms, so launches complete. */
async function runningCloud(
  seed: number,
  spotPerHour = 0
): Promise<{ cloud: SimCloud; ids: string[]; stop: () => void }> {
  const cloud = new SimCloud({ seed, spotInterruptionsPerHour: spotPerHour });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(await cloud.launch('aws:g6e.xlarge', 'on_demand', 'us-east-1a'));
  let t = 0;
  cloud.advanceTo((t += 1800));
  const timer = setInterval(() => cloud.advanceTo((t += 60)), 20);
  return { cloud, ids, stop: () => clearInterval(timer) };
}

let n = 0;
function decision(
  action: ActionSpec,
  over: Partial<Decision> = {}
): ReturnType<typeof makeEnvelope<typeof decisionV1.data>> {
  n++;
  return makeEnvelope(
    decisionV1,
    {
      decision_id: `dec-exec-${n}`,
      proposal_id: `prop-exec-${n}`,
      workload: 'chat-a',
      verdict: 'approved',
      reason: 'won',
      action,
      epoch: 5,
      decided_by: 'supervisor',
      mode: 'auto',
      ...over,
    },
    { source: 'test' }
  );
}

describe('cloud executor against the simulated cloud, with PostgreSQL and NATS', () => {
  it('scales up and down, retiring the most expensive first, and runs a redelivered decision once', async () => {
    const { cloud, ids, stop } = await runningCloud(11);
    try {
      const ex = new CloudExecutor({ bus, db, provider: cloud, pollMs: 10, readyTimeoutMs: 20_000 });
      const up = decision({ kind: 'scale_replicas', from: 3, to: 5 });
      const r1 = await ex.handle(up, true);
      expect(r1.status).toBe('succeeded');
      const live = (await cloud.describeInstances()).filter((i) => i.state === 'running');
      expect(live).toHaveLength(5);
      expect(new Set(live.map((i) => i.instanceType))).toEqual(new Set(['aws:g6e.xlarge']));
      // the same decision again (a redelivery): nothing launched twice
      const again = await ex.handle(up, true);
      expect(again.status).toBe('skipped');
      expect(again.detail).toMatch(/already succeeded/);
      expect((await cloud.describeInstances()).filter((i) => i.state !== 'terminated')).toHaveLength(5);
      const down = await ex.handle(decision({ kind: 'scale_replicas', from: 5, to: 2 }), true);
      expect(down.status).toBe('succeeded');
      const left = (await cloud.describeInstances()).filter((i) => i.state === 'running').map((i) => i.id);
      expect(left).toHaveLength(2);
      // equal prices: the newest go first, so two of the original three remain
      expect(left.every((id) => ids.includes(id))).toBe(true);
      const row = await db.query<{ status: string; launched: string[] }>(
        'SELECT status, launched FROM executions WHERE decision_id = $1',
        [up.data.decision_id]
      );
      expect(row.rows[0]!.status).toBe('succeeded');
      expect(row.rows[0]!.launched).toHaveLength(2);
    } finally {
      stop();
    }
  });

  it('a spot migration pre-spins the replacements, and terminates the on-demand ones only after they run', async () => {
    const { cloud, ids, stop } = await runningCloud(12);
    try {
      const ex = new CloudExecutor({ bus, db, provider: cloud, pollMs: 10, readyTimeoutMs: 20_000 });
      const r = await ex.handle(
        decision({ kind: 'change_purchase_option', from: 'on_demand', to: 'spot' }, { epoch: 6 }),
        true
      );
      expect(r.status).toBe('succeeded');
      const all = await cloud.describeInstances();
      const spot = all.filter((i) => i.purchaseOption === 'spot');
      expect(spot).toHaveLength(3);
      const old = all.filter((i) => ids.includes(i.id));
      expect(old.every((i) => i.state === 'terminated')).toBe(true);
      // every replacement was ready before the first old instance ended
      const firstEnd = Math.min(...old.map((i) => i.terminatedAtSec!));
      expect(Math.max(...spot.map((i) => i.readyAtSec))).toBeLessThanOrEqual(firstEnd);
    } finally {
      stop();
    }
  });

  it('refuses a decision under an older epoch than one already executed for the workload', async () => {
    const { cloud, stop } = await runningCloud(13);
    try {
      const ex = new CloudExecutor({ bus, db, provider: cloud, pollMs: 10 });
      const r = await ex.handle(decision({ kind: 'scale_replicas', from: 3, to: 4 }, { epoch: 1 }), true);
      expect(r.status).toBe('refused');
      expect(r.detail).toMatch(/epoch 1 is older than 6/);
      expect((await cloud.describeInstances()).filter((i) => i.state !== 'terminated')).toHaveLength(3);
    } finally {
      stop();
    }
  });

  it('rolls back when a replacement cannot start, leaving the old instances serving', async () => {
    const { cloud, ids, stop } = await runningCloud(14);
    try {
      // the clock does not reach readiness within the timeout: the change must roll back
      stop();
      const ex = new CloudExecutor({ bus, db, provider: cloud, pollMs: 10, readyTimeoutMs: 300 });
      const r = await ex.handle(
        decision({ kind: 'change_instance_type', from: 'aws:g6e.xlarge', to: 'aws:p5.4xlarge' }, { epoch: 7 }),
        true
      );
      expect(r.status).toBe('rolled_back');
      expect(r.detail).toMatch(/not running after 300 ms/);
      const all = await cloud.describeInstances();
      expect(all.filter((i) => ids.includes(i.id)).every((i) => i.state === 'running')).toBe(true);
      expect(all.filter((i) => !ids.includes(i.id)).every((i) => i.state === 'terminated')).toBe(true);
    } finally {
      stop();
    }
  });
});
