import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../../testkit/index.js';
import { OiError, connectBus, type Bus } from '../../../bus/index.js';
import { openPostgres, type Postgres } from '../../../stores/index.js';
import {
  STREAMS,
  approveDecisionV1,
  listDecisionsV1,
  subjects,
  type ActionSpec,
  type DataOf,
  type Decision,
  type PriorityClass,
  type decisionPageV1,
  type decisionVerdictV1,
} from '../../../schemas/index.js';
import { CredentialStore, SERVICE_ROLES, principal } from '../../../security/index.js';
import { proposal } from '../../priority/proposal-fixtures.js';
import { PARTITIONS, cmd, drained, propose, readAll, registerWorkload, tick, waitForOutcomes } from './rig.js';

const WINDOW_MS = 10_000;
const LOCK_TTL_MS = 60_000;
const APPROVAL_TTL_MS = 600_000;
const HOUR = 3_600_000;
const LEASE_TTL_MS = 1_500;

type Verdict = DataOf<typeof decisionVerdictV1>;
type Page = DataOf<typeof decisionPageV1>;

function build(id: string, workload: string, cls: PriorityClass, action: ActionSpec, atMs: number) {
  const p = proposal(id, {
    workload,
    target: { workload },
    priority_class: cls,
    action,
    usd: 0,
    confidence: 0.8,
    expires_at: new Date(atMs + 2 * HOUR).toISOString(),
  });
  p.rollback_plan.verify_window_s = 30;
  return p;
}

/**
 * Leader failover of the priority protocol: two supervisor processes under real NATS
 * authorization; the arbitration leader is SIGKILLed with approvals pending, an action lock
 * held and a window open; the follower takes over from PostgreSQL.
 */
describe('arbitration leader failover (two supervisor processes, SIGKILL, NATS authorization on)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let pg: TestDatabase;
  let chDb: TestDatabase;
  let db: Postgres;
  let sup: Bus;
  let alice: Bus;
  const procs: OiProcess[] = [];

  const t0 = Date.parse('2027-03-01T00:00:00Z');
  const ADVISORY = 'fo-advisory';
  const AUTO = 'fo-auto';
  const OPEN = 'fo-open';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oi-fo-'));
    const store = new CredentialStore(join(dir, 'creds'));
    for (const role of SERVICE_ROLES) await store.ensure(principal(role));
    const op = principal('operator', { name: 'alice' });
    await store.ensure(op);
    nats = await startNats({ configFile: await store.writeAuthConfig() });
    pg = await (await sharedPostgres()).createDatabase('arbitration_failover');
    const ch = await sharedClickHouse();
    chDb = await ch.createDatabase('arbitration_failover');
    const env = {
      OI_NATS_URL: nats.url,
      OI_NATS_USER: 'supervisor',
      OI_NATS_PASS_FILE: store.passwordFile('supervisor'),
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: ch.url,
      OI_CLICKHOUSE_DB: chDb.name,
      OI_PARTITIONS: String(PARTITIONS),
      OI_LEASE_TTL_MS: String(LEASE_TTL_MS),
      OI_ACK_WAIT_MS: '6000',
      OI_LOG_LEVEL: 'info',
      OI_ARBITRATION_CLOCK: 'lockstep',
      OI_ARBITRATION_WINDOW_MS: String(WINDOW_MS),
      OI_LOCK_TTL_MS: String(LOCK_TTL_MS),
      OI_APPROVAL_TTL_MS: String(APPROVAL_TTL_MS),
    };
    procs.push(startOiProcess('supervisor', env));
    sup = await connectBus({
      servers: nats.url,
      name: 'test-supervisor-role',
      user: 'supervisor',
      pass: await store.password('supervisor'),
    });
    alice = await connectBus({
      servers: nats.url,
      name: 'test-alice',
      user: op.user,
      pass: await store.password(op.user),
    });
    await check(() => cmd(sup, subjects.cmd('decision', 'list'), listDecisionsV1, {}).catch(() => undefined), 180_000, {
      name: 'first supervisor leads the arbitration',
    }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${procs[0]!.getLog().slice(-3_000)}`);
    });
    procs.push(startOiProcess('supervisor', env));
    await check(() => procs[1]!.getLog().includes('supervisor ready'), 180_000, { name: 'second supervisor up' }).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}\n${procs[1]!.getLog().slice(-3_000)}`);
      }
    );
    db = openPostgres({ url: pg.url });
  }, 400_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(3_000)));
    await sup?.drain();
    await alice?.drain();
    await db?.close();
    await pg?.drop();
    await chDb?.drop();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the follower restores pending approvals, locks and open windows; an approval after the takeover executes once, by the NATS login', async () => {
    await registerWorkload(sup, ADVISORY, 'advisory');
    await registerWorkload(sup, AUTO, 'auto');
    await registerWorkload(sup, OPEN, 'advisory');
    const scaleUp: ActionSpec = { kind: 'scale_replicas', from: 10, to: 11 };
    const pending = build('fo-pend-1', ADVISORY, 'slo', scaleUp, t0);
    const running = build('fo-run-1', AUTO, 'slo', scaleUp, t0);
    await propose(sup, pending, t0);
    await propose(sup, running, t0);
    await drained(sup);
    tick(sup, t0 + WINDOW_MS);
    const first = await waitForOutcomes(sup, ['fo-run-1']);
    expect(first.get('fo-run-1')![0]!.fate).toBe('decided');
    await check(
      async () => {
        const page = await cmd<Page>(sup, subjects.cmd('decision', 'list'), listDecisionsV1, { workload: ADVISORY });
        return page.items.length === 1;
      },
      10_000,
      { name: 'approval pending on the first leader' }
    );
    // a window still open when the leader dies
    const t1 = t0 + 2 * WINDOW_MS;
    const open = build('fo-open-1', OPEN, 'cost', { kind: 'set_routing', policy: 'kv_aware' }, t1);
    await propose(sup, open, t1);
    await drained(sup);
    await check(
      async () =>
        (await db.query<{ state: string }>('SELECT state FROM arbitration_state WHERE proposal_id = $1', ['fo-open-1']))
          .rows[0]?.state === 'window',
      10_000,
      { name: 'open window stored' }
    );

    const leader = procs[0]!;
    leader.signal('SIGKILL');
    await leader.exited;
    const follower = procs[1]!;
    const page = await check(
      async () => {
        const p = await cmd<Page>(sup, subjects.cmd('decision', 'list'), listDecisionsV1, {}).catch(() => undefined);
        return follower.getLog().includes('arbitration up') && p?.items.length ? p : undefined;
      },
      30_000,
      { name: 'follower leads the arbitration' }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${follower.getLog().slice(-3_000)}`);
    });
    expect(page.items.map((i) => i.proposal_id)).toEqual(['fo-pend-1']);
    expect(page.items[0]!.expires_at).toBe(new Date(t0 + WINDOW_MS + APPROVAL_TTL_MS).toISOString());
    const up = follower
      .getLog()
      .split('\n')
      .find((l) => l.includes('"arbitration up"'));
    // fo-pend-1 waits for an operator, fo-run-1 executes, fo-open-1 sits in its window
    expect(JSON.parse(up!)).toMatchObject({ restored: { live: 3 } });

    // the open window closes under the new leader: decided there, once
    const t2 = t1 + WINDOW_MS;
    tick(sup, t2);
    await check(
      async () => {
        const p = await cmd<Page>(sup, subjects.cmd('decision', 'list'), listDecisionsV1, {});
        return p.items.some((i) => i.proposal_id === 'fo-open-1');
      },
      10_000,
      { name: 'open window decided by the new leader' }
    );

    // Oi-Caller says mallory; the server let only op-alice publish on oi.as.op-alice.…
    const approve = (id: string) =>
      cmd<Verdict>(alice, subjects.cmd('decision', 'approve'), approveDecisionV1, { proposal_id: id }, 'mallory@evil');
    const v = await approve('fo-pend-1');
    expect(v).toMatchObject({ fate: 'decided', verdict: 'approved', execute: true, by: 'nats:op-alice' });
    const again = await approve('fo-pend-1').then(
      () => undefined,
      (e: unknown) => e as OiError
    );
    expect(again).toBeInstanceOf(OiError);
    expect(again?.issues[0]).toMatchObject({ path: 'data.proposal_id', rule: 'already_decided' });

    const approvals = await db.query<{ operator: string; verdict: string }>(
      'SELECT operator, verdict FROM approvals WHERE proposal_id = $1',
      ['fo-pend-1']
    );
    expect(approvals.rows).toEqual([{ operator: 'nats:op-alice', verdict: 'approved' }]);
    const executed = (await readAll(sup, STREAMS.dec, subjects.dec(ADVISORY))).filter(
      (m) => m.headers['Oi-Execute'] === 'true'
    );
    expect(executed.map((m) => [(m.env.data as Decision).proposal_id, (m.env.data as Decision).decided_by])).toEqual([
      ['fo-pend-1', 'nats:op-alice'],
    ]);
    expect(Number(executed[0]!.headers['Oi-Epoch'])).toBeGreaterThan(
      (await db.query<{ epoch: string }>("SELECT epoch FROM decisions WHERE proposal_id = 'fo-run-1'")).rows.map((r) =>
        Number(r.epoch)
      )[0]!
    );

    // fo-run-1's lock (taken at t0 + WINDOW_MS for LOCK_TTL_MS) still blocks a lower class
    const t3 = t2 + WINDOW_MS;
    await propose(sup, build('fo-cost-1', AUTO, 'cost', { kind: 'scale_replicas', from: 10, to: 9 }, t3), t3);
    await drained(sup);
    tick(sup, t3 + WINDOW_MS);
    const blocked = await waitForOutcomes(sup, ['fo-cost-1']);
    expect(blocked.get('fo-cost-1')![0]!.fate).toBe('rejected');
    expect(blocked.get('fo-cost-1')![0]!.reason).toMatch(
      new RegExp(`replicas is locked by fo-run-1 until ${new Date(t0 + WINDOW_MS + LOCK_TTL_MS).toISOString()}`)
    );
    // past the TTL the same kind of proposal goes through
    const t4 = t0 + WINDOW_MS + LOCK_TTL_MS + 1;
    tick(sup, t4);
    await propose(sup, build('fo-cost-2', AUTO, 'cost', { kind: 'scale_replicas', from: 10, to: 9 }, t4), t4);
    await drained(sup);
    tick(sup, t4 + WINDOW_MS);
    expect((await waitForOutcomes(sup, ['fo-cost-2'])).get('fo-cost-2')![0]!.fate).toBe('decided');

    // one verdict of each kind per proposal, in PostgreSQL and on OI_DEC, across both leaders
    const ids = ['fo-pend-1', 'fo-run-1', 'fo-open-1', 'fo-cost-1', 'fo-cost-2'];
    const dup = await db.query<{ proposal_id: string; verdict: string; n: string }>(
      `SELECT proposal_id, verdict, count(*) AS n FROM decisions WHERE proposal_id = ANY($1::text[])
       GROUP BY proposal_id, verdict ORDER BY proposal_id, verdict`,
      [ids]
    );
    expect(dup.rows.map((r) => `${r.proposal_id}:${r.verdict}:${r.n}`)).toEqual([
      'fo-cost-1:rejected:1',
      'fo-cost-2:approved:1',
      'fo-open-1:pending_approval:1',
      'fo-pend-1:approved:1',
      'fo-pend-1:pending_approval:1',
      'fo-run-1:approved:1',
    ]);
    const audit = await db.query<{ proposal_id: string; n: string }>(
      `SELECT proposal_id, count(*) AS n FROM decision_audit WHERE kind IN ('decision', 'approval')
       AND proposal_id = ANY($1::text[]) GROUP BY proposal_id ORDER BY proposal_id`,
      [ids]
    );
    expect(audit.rows.map((r) => `${r.proposal_id}:${r.n}`)).toEqual([
      'fo-cost-2:1',
      'fo-open-1:1',
      'fo-pend-1:3', // decision pending_approval, approval, decision approved
      'fo-run-1:1',
    ]);
    const onDec = (await readAll(sup, STREAMS.dec, 'oi.v1.dec.*')).map((m) => m.env.data as Decision);
    const perVerdict = new Map<string, number>();
    for (const d of onDec)
      perVerdict.set(`${d.proposal_id}:${d.verdict}`, (perVerdict.get(`${d.proposal_id}:${d.verdict}`) ?? 0) + 1);
    expect(
      [...perVerdict.values()].every((n) => n === 1),
      JSON.stringify([...perVerdict])
    ).toBe(true);
    expect(perVerdict.size).toBe(6);
  }, 120_000);
});
