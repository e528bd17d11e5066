/**
 * Cost against performance, end to end over real NATS and PostgreSQL with real processes: the
 * supervisor, one agent host running the cost and performance agents, the cloud executor and the
 * simulator (`optiinfra sim --lockstep`, which also serves the simulated cloud).
 *
 * The scenario, from the analyzers' rules: four g5.xlarge (one A10G each, llama-3.1-8b) serve
 * ~1 req/s of Azure-shaped conversation (prompts ~1k tokens) — a small share of what they can
 * serve. At 90 s the traffic turns to long documents (6,000-token prompts, 300-token answers) at
 * 0.8 req/s. The request rate barely moves, so the cost agent, sizing the fleet for the p95
 * arrival rate of its window against the per-replica capacity estimated from the window's median
 * load share (the short-prompt intervals), finds the fleet over-provisioned and proposes a
 * scale-down as soon as it has its 12 intervals, while the SLO still holds. The long prompts fill
 * the A10Gs' small KV cache (24 GB holds 16 GB of weights): once three intervals in a row run at
 * ≥ 80% KV usage (llm-d WVA's threshold) the performance agent proposes a scale-up. Both land in
 * one arbitration window (60 s of event time here, to cover the three-interval confirmation);
 * the supervisor ranks the SLO above cost, the cloud executor launches the replica, and the cost
 * proposal ends rejected with the reason, on OI_EVT and in the PostgreSQL audit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, request, type Bus } from '../../bus/index.js';
import { openPostgres, type Postgres } from '../../stores/index.js';
import {
  decodeEnvelope,
  listWorkloadsV1,
  noticeV1,
  proposalV1,
  registerWorkloadV1,
  setWorkloadModeV1,
  subjects,
  type Notice,
  type Proposal,
} from '../../schemas/index.js';
import {
  DEFAULT_SYNTHETIC_PARAMS,
  generateSyntheticTrace,
  NatsCloudProvider,
  type SimRequest,
} from '../../sim/index.js';
import {
  check,
  sharedClickHouse,
  sharedPostgres,
  startNats,
  startOiProcess,
  startTsProcess,
  type NatsServerHandle,
  type OiProcess,
  type TestDatabase,
} from '../../testkit/index.js';

const P = 2;
const WL = 'wl-conflict';
const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const START = '2026-01-01T00:00:00Z';
const SWITCH_S = 90;

/** The trace: conversation, then long documents at a similar request rate. */
function scenarioTrace(): SimRequest[] {
  const base = { ...DEFAULT_SYNTHETIC_PARAMS, burstsPerHour: 0, diurnalAmplitude: 0 };
  const chat = [...generateSyntheticTrace({ ...base, durationSec: SWITCH_S, meanRatePerSec: 1, idPrefix: 'chat' }, 1)];
  const docs = [
    ...generateSyntheticTrace(
      {
        ...base,
        durationSec: 600,
        meanRatePerSec: 0.8,
        idPrefix: 'doc',
        promptTokens: { median: 6000, sigma: 0.1, max: 16_000 },
        outputTokens: { median: 300, sigma: 0.1, max: 4000 },
      },
      2
    ),
  ].map((r) => ({ ...r, arrivalSec: r.arrivalSec + SWITCH_S }));
  return [...chat, ...docs];
}

/** Azure LLM 2023 CSV (`TIMESTAMP,ContextTokens,GeneratedTokens`): what `optiinfra sim --trace` reads. */
function azureCsv(trace: readonly SimRequest[]): string {
  const t0 = Date.parse(START);
  const rows = trace.map((r) => {
    const iso = new Date(t0 + r.arrivalSec * 1000).toISOString(); // 2026-01-01T00:00:01.234Z
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)},${r.promptTokens},${r.outputTokens}`;
  });
  return ['TIMESTAMP,ContextTokens,GeneratedTokens', ...rows].join('\n') + '\n';
}

const FLEET_YAML = `workload: ${WL}
seed: 1
start: '${START}'
telemetryIntervalSec: 10
routing: least_loaded
slo:
  ttftSec: 10
  tpotSec: 0.1
replicas:
${[0, 1, 2, 3]
  .map(
    (i) => `  - node: n${i}
    instanceType: aws:g5.xlarge
    purchaseOption: on_demand
    model: llama-3.1-8b
    engine:
      maxModelLen: 16384`
  )
  .join('\n')}
`;

describe('cost vs performance on one workload, end to end', () => {
  let nats: NatsServerHandle;
  let pg: TestDatabase;
  let ch: TestDatabase;
  let bus: Bus;
  let db: Postgres;
  let dir: string;
  const procs: OiProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    nats = await startNats();
    pg = await (await sharedPostgres()).createDatabase('agent_conflict');
    const chServer = await sharedClickHouse();
    ch = await chServer.createDatabase('agent_conflict');
    dir = mkdtempSync(join(tmpdir(), 'oi-conflict-'));
    env = {
      OI_NATS_URL: nats.url,
      OI_PG_URL: pg.url,
      OI_CLICKHOUSE_URL: chServer.url,
      OI_CLICKHOUSE_DB: ch.name,
      OI_PARTITIONS: String(P),
      OI_LEASE_TTL_MS: '3000',
      OI_ACK_WAIT_MS: '6000',
      OI_LOG_LEVEL: 'warn',
      OI_ARBITRATION_CLOCK: 'lockstep',
      OI_ARBITRATION_WINDOW_MS: '60000',
      OI_HOST_ACTORS: 'cost,performance',
      OI_AGENT_INTERVAL_MS: '10000',
      OI_AGENT_CADENCE_MS: '10000',
      OI_AGENT_DECISION_DELAY_MS: '10000',
      OI_AGENT_DECISION_WAIT_MS: '5000',
      OI_AGENT_PROPOSAL_TTL_MS: '600000',
    };
    const supervisor = startOiProcess('supervisor', env);
    procs.push(supervisor);
    bus = await connectBus({ servers: nats.url, name: 'agent-conflict-test' });
    db = openPostgres({ url: pg.url });
    await check(
      () =>
        request(bus.nc, subjects.cmd('workload', 'list'), listWorkloadsV1, {}, { source: 'test' }).then(
          () => true,
          () => false
        ),
      180_000,
      { name: 'supervisor answering' }
    );
    procs.push(startOiProcess('host', { ...env, OI_HOST_ID: 'agents-1' }));
    procs.push(startOiProcess('executor', env));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(3_000)));
    await bus?.drain();
    await db?.close();
    await pg?.drop();
    await ch?.drop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('performance wins over cost, the executor scales up, the cost proposal ends rejected with the reason', async () => {
    await request(
      bus.nc,
      subjects.cmd('workload', 'register'),
      registerWorkloadV1,
      { workload: WL, name: WL, model: 'llama-3.1-8b', engine: 'sim', slo: { attainment: 0.99, ttft_p95_ms: 10_000 } },
      { source: 'test' }
    );
    await request(
      bus.nc,
      subjects.cmd('workload', 'set-mode'),
      setWorkloadModeV1,
      { workload: WL, mode: 'auto' },
      { source: 'test', caller: 'alice' }
    );
    const proposals: Proposal[] = [];
    const events: Array<{ subject: string; notice: Notice }> = [];
    const recSub = bus.nc.subscribe(`oi.v1.rec.*.${WL}`, {
      callback: (_e, m) => {
        const d = decodeEnvelope(m.data, [proposalV1]);
        if (d.ok) proposals.push(d.envelope.data as Proposal);
      },
    });
    const evtSub = bus.nc.subscribe(`oi.v1.evt.*.*.${WL}`, {
      callback: (_e, m) => {
        const d = decodeEnvelope(m.data, [noticeV1]);
        if (d.ok) events.push({ subject: m.subject, notice: d.envelope.data as Notice });
      },
    });
    const csv = join(dir, 'trace.csv');
    const fleet = join(dir, 'fleet.yaml');
    writeFileSync(csv, azureCsv(scenarioTrace()));
    writeFileSync(fleet, FLEET_YAML);
    const sim = startTsProcess('sim', MAIN, ['sim', '--trace', csv, '--fleet', fleet, '--lockstep'], env);
    procs.push(sim);
    const cloud = new NatsCloudProvider(bus.nc, { source: 'test' });
    const live = async (): Promise<number> =>
      (await cloud.describeInstances()).filter((i) => i.state === 'pending' || i.state === 'running').length;
    const logs = (): string =>
      procs.map((p) => `--- ${p.name}\n${p.getLog().slice(-3_000)}`).join('\n') +
      `\n--- proposals\n${proposals.map((p) => `${p.proposal_id} ${JSON.stringify(p.action)}`).join('\n')}`;
    await check(async () => (await live()) === 4, 240_000, { name: 'simulated fleet serving' }).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}\n${logs()}`);
      }
    );
    const cost = (): Proposal | undefined =>
      proposals.find((p) => p.agent === 'cost' && p.action.kind === 'scale_replicas');
    const perf = (): Proposal | undefined =>
      proposals.find((p) => p.agent === 'performance' && p.action.kind === 'scale_replicas');
    await check(() => cost() !== undefined && perf() !== undefined, 240_000, { name: 'both agents proposing' }).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}\n${logs()}`);
      }
    );
    const down = cost()!;
    const up = perf()!;
    // the cost agent sizes for the request rate; the performance agent reacts to the full KV cache
    expect(down.action.kind === 'scale_replicas' && down.action.to < down.action.from, logs()).toBe(true);
    expect(up.action.kind === 'scale_replicas' && up.action.to > up.action.from).toBe(true);
    expect(down.action).toMatchObject({ from: 4 });
    expect(up.action).toMatchObject({ from: 4 });
    expect(up.evidence.map((e) => e.metric)).toContain('vllm:kv_cache_usage_perc mean');
    expect(up.evidence.find((e) => e.metric === 'vllm:kv_cache_usage_perc mean')!.value).toBeGreaterThanOrEqual(0.8);
    expect(down.evidence.find((e) => e.metric === 'SLO attainment (intervals)')!.value).toBeGreaterThanOrEqual(0.98);
    expect(down.priority_class).toBe('cost');
    expect(up.priority_class).toBe('slo');

    // the executor scales the simulated fleet up: a fifth instance appears
    const to = up.action.kind === 'scale_replicas' ? up.action.to : 0;
    await check(async () => (await live().catch(() => 0)) === to, 90_000, { name: `fleet at ${to} replicas` }).catch(
      (err: unknown) => {
        throw new Error(`${(err as Error).message}\n${logs()}`);
      }
    );

    // PostgreSQL: performance approved and executed, cost rejected naming the winner
    const verdicts = await db.query<{
      proposal_id: string;
      verdict: string;
      payload: { decision: { reason: string } };
    }>('SELECT proposal_id, verdict, payload FROM decisions WHERE workload = $1 ORDER BY decided_at, decision_id', [
      WL,
    ]);
    const of = (id: string) => verdicts.rows.filter((r) => r.proposal_id === id);
    expect(of(up.proposal_id).map((r) => r.verdict)).toContain('approved');
    const lost = of(down.proposal_id);
    expect(
      lost.map((r) => r.verdict),
      JSON.stringify(verdicts.rows)
    ).toEqual(['rejected']);
    expect(lost[0]!.payload.decision.reason, JSON.stringify(lost[0])).toContain(up.proposal_id);
    const audit = await db.query<{ kind: string; row: unknown }>(
      'SELECT kind, row FROM decision_audit WHERE proposal_id = $1 ORDER BY at, id',
      [down.proposal_id]
    );
    expect(audit.rowCount).toBeGreaterThan(0);
    expect(JSON.stringify(audit.rows)).toContain(up.proposal_id);
    await check(
      async () => {
        const r = await db.query<{ status: string }>('SELECT status FROM executions WHERE proposal_id = $1', [
          up.proposal_id,
        ]);
        return r.rows[0]?.status === 'succeeded';
      },
      60_000,
      { name: 'scale-up executed' }
    );

    // OI_EVT: the cost proposal's outcome event carries the rejection and its reason
    await check(
      () =>
        events.some(
          (e) =>
            e.subject === subjects.evt('priority', 'outcome', WL) && e.notice.attrs.proposal_id === down.proposal_id
        ),
      30_000,
      { name: 'rejection event' }
    );
    const rejection = events.find(
      (e) => e.subject === subjects.evt('priority', 'outcome', WL) && e.notice.attrs.proposal_id === down.proposal_id
    )!;
    expect(rejection.notice.attrs.fate).toBe('rejected');
    expect(rejection.notice.message).toContain(up.proposal_id);
    // and the cost agent, reading its verdict back, closes the episode as rejected
    await check(
      () =>
        events.some(
          (e) =>
            e.subject === subjects.evt('agent', 'outcome', WL) &&
            e.notice.attrs.proposal_id === down.proposal_id &&
            e.notice.attrs.verdict === 'rejected'
        ),
      60_000,
      { name: 'cost agent outcome' }
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${events.map((e) => `${e.subject} ${e.notice.message}`).join('\n')}`);
    });
    recSub.unsubscribe();
    evtSub.unsubscribe();
  }, 900_000);
});
