import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  startTsProcess,
  startWebhookReceiver,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
  type WebhookReceiver,
} from '../../../testkit/index.js';
import { OiError, connectBus, publish, type Bus } from '../../../bus/index.js';
import { openPostgres, type Postgres } from '../../../stores/index.js';
import {
  STREAMS,
  approveDecisionV1,
  fenceV1,
  listDecisionsV1,
  partitionOf,
  pauseFleetV1,
  rejectDecisionV1,
  resumeFleetV1,
  subjects,
  type ActionSpec,
  type DataOf,
  type Decision,
  type Notice,
  type PriorityClass,
  type decisionPageV1,
  type decisionVerdictV1,
  type fleetStateV1,
} from '../../../schemas/index.js';
import { PRIORITY_RANK, type OperatingMode } from '../../priority/index.js';
import { proposal } from '../../priority/proposal-fixtures.js';
import { PARTITIONS, cmd, drained, propose, readAll, registerWorkload, tick, waitForOutcomes } from './rig.js';

const WINDOW_MS = 10_000;
const LOCK_TTL_MS = 60_000;
const APPROVAL_TTL_MS = 120_000;
const HOUR = 3_600_000;
/** Event time only moves forward in the supervisor: every test takes its own later stretch. */
let clock = Date.parse('2027-01-04T00:00:00Z');
const later = (ms: number): number => (clock += ms);

type Verdict = DataOf<typeof decisionVerdictV1>;

function build(
  id: string,
  workload: string,
  cls: PriorityClass,
  action: ActionSpec,
  atMs: number,
  over: { usd?: number; confidence?: number } = {}
) {
  const p = proposal(id, {
    workload,
    target: { workload },
    priority_class: cls,
    action,
    usd: over.usd ?? 0,
    confidence: over.confidence ?? 0.8,
    expires_at: new Date(atMs + HOUR).toISOString(),
  });
  p.rollback_plan.verify_window_s = 30;
  return p;
}

const CLI = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));

const scaleUp: ActionSpec = { kind: 'scale_replicas', from: 10, to: 11 };

describe('arbitration in the supervisor process (lockstep clock)', () => {
  let nats: NatsServerHandle;
  let pg: TestDatabase;
  let chDb: TestDatabase;
  let db: Postgres;
  let receiver: WebhookReceiver;
  const buses: Bus[] = [];
  const procs: OiProcess[] = [];
  let bus: Bus;

  beforeAll(async () => {
    nats = await startNats();
    pg = await (await sharedPostgres()).createDatabase('arbitration');
    const ch = await sharedClickHouse();
    chDb = await ch.createDatabase('arbitration');
    receiver = await startWebhookReceiver();
    const env = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: ch.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: String(PARTITIONS),
      OI_LEASE_TTL_MS: '1500',
      OI_ACK_WAIT_MS: '6000',
      OI_LOG_LEVEL: 'warn',
      OI_ARBITRATION_CLOCK: 'lockstep',
      OI_ARBITRATION_WINDOW_MS: String(WINDOW_MS),
      OI_LOCK_TTL_MS: String(LOCK_TTL_MS),
      OI_APPROVAL_TTL_MS: String(APPROVAL_TTL_MS),
      OI_NOTIFY_WEBHOOKS: JSON.stringify([
        { url: receiver.url('/ok'), events: ['pending_approval', 'guardrail_stop'] },
        { url: receiver.url('/fail'), events: ['guardrail_stop'], attempts: 3 },
      ]),
    };
    procs.push(startOiProcess('supervisor', env));
    for (let i = 0; i < 3; i++) buses.push(await connectBus({ servers: nats.url, name: `test-proposer-${i}` }));
    bus = buses[0]!;
    await check(() => cmd(bus, subjects.cmd('decision', 'list'), listDecisionsV1, {}).catch(() => undefined), 150_000, {
      name: 'arbitration leader answering',
    }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${procs[0]!.getLog().slice(-3_000)}`);
    });
    procs.push(startOiProcess('notify', env));
    await check(() => bus.jsm.consumers.info(STREAMS.evt, 'oi-notify').catch(() => undefined), 120_000, {
      name: 'notify consuming',
    });
    db = openPostgres({ url: pg.url });
  }, 300_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(3_000)));
    for (const b of buses) await b.drain();
    await db?.close();
    await receiver?.close();
    await pg?.drop();
    await chDb?.drop();
    await nats?.stop();
  });

  const actionArb: fc.Arbitrary<ActionSpec> = fc.oneof(
    fc.integer({ min: 6, max: 14 }).map((to): ActionSpec => ({ kind: 'scale_replicas', from: 10, to })),
    fc.constantFrom<ActionSpec>(
      { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
      { kind: 'change_purchase_option', from: 'on_demand', to: 'reserved' },
      { kind: 'change_instance_type', from: 'g5.xlarge', to: 'g6.xlarge' },
      { kind: 'reconfigure_engine', changes: { 'max-num-seqs': 256 } },
      { kind: 'enable_kv_offload', cpu_gib: 64 },
      { kind: 'set_routing', policy: 'kv_aware' }
    )
  );
  const proposalArb = fc.record({
    wl: fc.constantFrom(0, 1),
    cls: fc.constantFrom<PriorityClass>('operator', 'quality', 'slo', 'resource', 'cost'),
    action: actionArb,
    usd: fc.integer({ min: -3_000, max: 3_000 }),
    confidence: fc.double({ min: 0.05, max: 1, noNaN: true }),
    proposer: fc.constantFrom(0, 1, 2),
    offsetMs: fc.integer({ min: 0, max: WINDOW_MS / 4 }),
  });
  const runArb = fc.record({
    mode: fc.constantFrom<OperatingMode>('advisory', 'semi', 'auto', 'shadow'),
    waves: fc.array(
      fc.record({
        proposals: fc.array(proposalArb, { minLength: 1, maxLength: 6 }),
        // same window, the next one, or past every lock's TTL
        gapMs: fc.constantFrom(WINDOW_MS / 2, 2 * WINDOW_MS, LOCK_TTL_MS + WINDOW_MS),
      }),
      { minLength: 1, maxLength: 3 }
    ),
  });

  let run = 0;
  /** What the property checks actually saw, so a vacuous pass fails. */
  const seen = { lostTo: 0, locks: 0, preempts: 0, decisions: 0 };
  type Run = typeof runArb extends fc.Arbitrary<infer T> ? T : never;
  type Gen = Run['waves'][number]['proposals'][number];
  const g = (wl: 0 | 1, cls: PriorityClass, action: ActionSpec, proposer: 0 | 1 | 2, usd = 0): Gen => ({
    wl,
    cls,
    action,
    usd,
    confidence: 0.8,
    proposer,
    offsetMs: 100 * proposer,
  });
  /** A known stream first: a lost conflict, a lock held across windows, a pre-emption. */
  const known: Run = {
    mode: 'auto',
    waves: [
      {
        proposals: [
          g(0, 'cost', { kind: 'scale_replicas', from: 10, to: 9 }, 0, -1_000),
          g(0, 'slo', { kind: 'scale_replicas', from: 10, to: 12 }, 1, 500),
        ],
        gapMs: 2 * WINDOW_MS,
      },
      { proposals: [g(0, 'operator', { kind: 'scale_replicas', from: 10, to: 10 }, 2)], gapMs: 2 * WINDOW_MS },
    ],
  };

  it('random proposal streams from concurrent proposers: priority order, one lock per resource, every proposal ends', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async ({ mode, waves }) => {
        const r = ++run;
        const wls = [`prop-${r}-a`, `prop-${r}-b`];
        await registerWorkload(bus, wls[0]!, 'auto');
        await registerWorkload(bus, wls[1]!, mode);
        const cls = new Map<string, PriorityClass>();
        let t = later(HOUR);
        for (const [w, wave] of waves.entries()) {
          const made = wave.proposals.map((g, i) => {
            const p = build(`prop-${r}-${w}-${i}`, wls[g.wl]!, g.cls, g.action, t + g.offsetMs, g);
            cls.set(p.proposal_id, g.cls);
            return { p, g };
          });
          await Promise.all(
            [0, 1, 2].map(async (k) => {
              for (const { p, g } of made.filter((m) => m.g.proposer === k))
                await propose(buses[k]!, p, t + g.offsetMs);
            })
          );
          await drained(bus);
          t += wave.gapMs;
          tick(bus, t);
        }
        t += APPROVAL_TTL_MS + LOCK_TTL_MS + 2 * WINDOW_MS;
        tick(bus, t);
        clock = t;
        const ids = [...cls.keys()];
        const ended = await waitForOutcomes(bus, ids);

        const rank = (id: string): number => PRIORITY_RANK[cls.get(id)!];
        for (const id of ids) {
          const o = ended.get(id)!;
          // one fate, except an executing action pre-empted later: decided, then superseded
          const fates = o.map((x) => x.fate).join(',');
          expect(['decided', 'rejected', 'expired', 'superseded', 'decided,superseded'], id).toContain(fates);
          if (fates === 'decided,superseded') expect(o[1]!.reason).toMatch(/^pre-empted by /);
          const lost = /lost to (\S+) \(/.exec(o[0]!.reason);
          if (lost) {
            seen.lostTo++;
            expect(rank(lost[1]!), `${id}: ${o[0]!.reason}`).toBeLessThanOrEqual(rank(id));
          }
          const locked = /is locked by (\S+) until/.exec(o[0]!.reason);
          if (locked && cls.has(locked[1]!)) expect(rank(locked[1]!)).toBeLessThanOrEqual(rank(id));
        }
        const events = (await readAll(bus, STREAMS.evt, 'oi.v1.evt.priority.>')).filter((m) =>
          wls.includes((m.env.data as Notice).workload)
        );
        for (const m of events.filter((e) => e.subject.includes('.preempt.'))) {
          const n = m.env.data as Notice;
          seen.preempts++;
          expect(rank(String(n.attrs.by))).toBeLessThan(rank(String(n.attrs.proposal_id)));
        }
        const holders = new Map<string, string>();
        for (const m of events.filter((e) => e.subject.includes('.lock.'))) {
          const n = m.env.data as Notice;
          const key = `${n.workload}/${String(n.attrs.resource)}`;
          const pid = String(n.attrs.proposal_id);
          const held = holders.get(key);
          if (n.attrs.op === 'acquired') {
            seen.locks++;
            expect(held === undefined || held === pid, `${key} locked by ${held} and ${pid} at once`).toBe(true);
            holders.set(key, pid);
          } else {
            expect(held).toBe(pid);
            holders.delete(key);
          }
        }
        expect(holders.size, 'every lock released after its TTL').toBe(0);
        const decisions = (await readAll(bus, STREAMS.dec, 'oi.v1.dec.*')).filter((m) =>
          wls.includes((m.env.data as Decision).workload)
        );
        for (const d of decisions) {
          seen.decisions++;
          expect(d.headers['Oi-Epoch']).toBe(String((d.env.data as Decision).epoch));
          expect((d.env.data as Decision).epoch).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 5, endOnFailure: true, examples: [[known]], seed: Number(process.env.FC_SEED ?? 20261124) }
    );
    expect(seen.lostTo).toBeGreaterThan(0);
    expect(seen.locks).toBeGreaterThan(0);
    expect(seen.preempts).toBeGreaterThan(0);
    expect(seen.decisions).toBeGreaterThan(0);
  }, 60_000);

  it('approve, reject and list: the approver is recorded; approving an expired or decided proposal is refused', async () => {
    const wl = 'approvals-wl';
    await registerWorkload(bus, wl, 'advisory');
    const t = later(HOUR);
    const p1 = build('appr-0001', wl, 'cost', scaleUp, t);
    const p2 = build('appr-0002', wl, 'slo', { kind: 'set_routing', policy: 'kv_aware' }, t);
    const p3 = build('appr-0003', wl, 'resource', { kind: 'enable_kv_offload', cpu_gib: 64 }, t);
    for (const p of [p1, p2, p3]) await propose(bus, p, t);
    await drained(bus);
    tick(bus, t + WINDOW_MS);
    const page = await check(
      async () => {
        const pg = await cmd<DataOf<typeof decisionPageV1>>(bus, subjects.cmd('decision', 'list'), listDecisionsV1, {
          workload: wl,
        });
        return pg.items.length === 3 ? pg : undefined;
      },
      10_000,
      { name: 'three pending approvals' }
    );
    expect(page.items.map((i) => i.proposal_id).sort()).toEqual(['appr-0001', 'appr-0002', 'appr-0003']);
    expect(page.items[0]!.expires_at).toBe(new Date(t + WINDOW_MS + APPROVAL_TTL_MS).toISOString());
    await check(
      () => receiver.received.find((x) => x.path === '/ok' && x.body.text.includes(`[pending_approval] ${wl}`)),
      10_000,
      { name: 'pending approval notified' }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${procs[1]!.getLog().slice(-3_000)}`);
    });

    const cli = async (...argv: string[]): Promise<string> => {
      const p = startTsProcess('cli', CLI, argv, { OI_NATS_URL: nats.url });
      expect(await p.exited, p.getLog()).toBe(0);
      return p.getLog();
    };
    expect(await cli('decisions', '--workload', wl)).toMatch(
      /appr-0001 {2}approvals-wl {2}cost {2}scale 10→11 replicas/
    );
    expect(await cli('approve', 'appr-0001', '--as', 'alice@ops')).toMatch(
      /^appr-0001 \(approvals-wl\): decided, approved, executing by alice@ops: /
    );
    const approve = (id: string, who: string) =>
      cmd<Verdict>(bus, subjects.cmd('decision', 'approve'), approveDecisionV1, { proposal_id: id }, who);
    const v1 = (
      await db.query<{ decision_id: string }>(
        "SELECT decision_id FROM decisions WHERE proposal_id = 'appr-0001' AND verdict = 'approved'"
      )
    ).rows[0]!;
    const rows = await db.query<{ operator: string; verdict: string }>(
      'SELECT operator, verdict FROM approvals WHERE proposal_id = $1',
      ['appr-0001']
    );
    expect(rows.rows).toEqual([{ operator: 'alice@ops', verdict: 'approved' }]);
    const dec = await db.query<{ decided_by: string; execute: boolean }>(
      "SELECT decided_by, execute FROM decisions WHERE proposal_id = $1 AND verdict = 'approved'",
      ['appr-0001']
    );
    expect(dec.rows).toEqual([{ decided_by: 'alice@ops', execute: true }]);
    const onDec = (await readAll(bus, STREAMS.dec, subjects.dec(wl))).find(
      (m) => (m.env.data as Decision).decision_id === v1.decision_id
    );
    expect(onDec?.headers['Oi-Execute']).toBe('true');
    expect(Number(onDec?.headers['Oi-Epoch'])).toBeGreaterThanOrEqual(1);

    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as OiError
      );
    const again = await refusal(approve('appr-0001', 'bob@ops'));
    expect(again).toBeInstanceOf(OiError);
    expect(again?.code).toBe('OI_CONFLICT');
    expect(again?.issues[0]).toMatchObject({ path: 'data.proposal_id', rule: 'already_decided' });
    expect(again?.message).toMatch(/cannot approve appr-0001: already decided/);

    const v3 = await cmd<Verdict>(
      bus,
      subjects.cmd('decision', 'reject'),
      rejectDecisionV1,
      { proposal_id: 'appr-0003', reason: 'host RAM is reserved for the batch tier' },
      'carol@ops'
    );
    expect(v3).toMatchObject({ fate: 'rejected', execute: false, by: 'carol@ops' });
    const rej = await db.query<{ operator: string; verdict: string; reason: string }>(
      'SELECT operator, verdict, reason FROM approvals WHERE proposal_id = $1',
      ['appr-0003']
    );
    expect(rej.rows).toEqual([
      { operator: 'carol@ops', verdict: 'rejected', reason: 'host RAM is reserved for the batch tier' },
    ]);

    tick(bus, later(APPROVAL_TTL_MS + WINDOW_MS));
    await waitForOutcomes(bus, ['appr-0002']);
    const expired = await refusal(approve('appr-0002', 'alice@ops'));
    expect(expired?.code).toBe('OI_CONFLICT');
    expect(expired?.issues[0]?.rule).toBe('expired');
    const unknown = await refusal(approve('appr-9999', 'alice@ops'));
    expect(unknown?.code).toBe('OI_NOT_FOUND');
    expect(unknown?.issues[0]?.rule).toBe('unknown_proposal');
  }, 150_000); // two CLI processes start under tsx

  it('the pause switch stops executions already in the open window; a failing webhook is retried; resume lets them run', async () => {
    const wl = 'pause-wl';
    await registerWorkload(bus, wl, 'auto');
    const t = later(HOUR);
    await propose(bus, build('pause-0001', wl, 'slo', scaleUp, t), t);
    await drained(bus);
    const paused = await cmd<DataOf<typeof fleetStateV1>>(
      bus,
      subjects.cmd('fleet', 'pause'),
      pauseFleetV1,
      { reason: 'provider incident' },
      'bob@ops'
    );
    expect(paused).toMatchObject({ paused: true, by: 'bob@ops', at: new Date(t).toISOString() });
    tick(bus, t + WINDOW_MS);
    const o = await waitForOutcomes(bus, ['pause-0001']);
    expect(o.get('pause-0001')![0]!.fate).toBe('rejected');
    const stops = (await readAll(bus, STREAMS.evt, subjects.evt('priority', 'guardrail_stop', wl))).map(
      (m) => m.env.data as Notice
    );
    expect(stops.map((n) => n.attrs.guardrail)).toEqual(['pause']);
    const execs = (await readAll(bus, STREAMS.dec, subjects.dec(wl))).filter((m) => m.headers['Oi-Execute'] === 'true');
    expect(execs).toEqual([]);
    await check(
      () => receiver.received.find((x) => x.path === '/ok' && x.body.text.includes(`[guardrail_stop] ${wl}`)),
      10_000,
      { name: 'guardrail stop notified' }
    );
    // 3 attempts at 200 ms and 400 ms backoff; the decision above never waited on them
    await check(() => [...receiver.calls].some(([k, n]) => k.startsWith('/fail:') && n === 3), 10_000, {
      name: 'failing webhook retried',
    });

    await cmd(bus, subjects.cmd('fleet', 'resume'), resumeFleetV1, { reason: 'incident closed' }, 'bob@ops');
    const t2 = later(HOUR);
    await propose(bus, build('pause-0002', wl, 'slo', scaleUp, t2), t2);
    await drained(bus);
    tick(bus, t2 + WINDOW_MS);
    expect((await waitForOutcomes(bus, ['pause-0002'])).get('pause-0002')![0]!.fate).toBe('decided');
    const after = (await readAll(bus, STREAMS.dec, subjects.dec(wl))).filter((m) => m.headers['Oi-Execute'] === 'true');
    expect(after.map((m) => (m.env.data as Decision).proposal_id)).toEqual(['pause-0002']);
    const audit = await db.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM audit WHERE action LIKE 'oi.cmd.fleet.%' ORDER BY id"
    );
    expect(audit.rows).toEqual([
      { actor: 'bob@ops', action: 'oi.cmd.fleet.pause.v1' },
      { actor: 'bob@ops', action: 'oi.cmd.fleet.resume.v1' },
    ]);
  }, 40_000);

  it('the supervisor logged no error while doing all this', () => {
    const errors = procs[0]!
      .getLog()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l));
    expect(errors).toEqual([]);
  });

  it('a proposal from a stale partition owner is rejected after the new owner fenced', async () => {
    const wl = 'fenced-wl';
    await registerWorkload(bus, wl, 'auto');
    const partition = partitionOf(wl, PARTITIONS);
    await publish(
      bus.js,
      subjects.fence(partition),
      fenceV1,
      { partition, epoch: 7, holder: 'host-new' },
      { source: 'host-new' }
    );
    const t = later(HOUR);
    await propose(bus, build('fence-old1', wl, 'slo', scaleUp, t), t, 6);
    await propose(bus, build('fence-new1', wl, 'cost', { kind: 'set_routing', policy: 'kv_aware' }, t), t, 7);
    await drained(bus);
    tick(bus, t + WINDOW_MS);
    const o = await waitForOutcomes(bus, ['fence-old1', 'fence-new1']);
    expect(o.get('fence-old1')![0]).toMatchObject({ fate: 'rejected' });
    expect(o.get('fence-old1')![0]!.reason).toMatch(/^fenced: /);
    expect(o.get('fence-new1')![0]!.fate).toBe('decided');
    const rows = await db.query<{ kind: string }>('SELECT kind FROM decision_audit WHERE proposal_id = $1', [
      'fence-old1',
    ]);
    expect(rows.rows).toEqual([{ kind: 'rejection' }]);
  }, 30_000);
});
