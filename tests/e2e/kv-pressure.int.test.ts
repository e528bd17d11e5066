import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actionResultV1,
  noticeV1,
  proposalV1,
  subjects,
  type ActionResult,
  type Notice,
  type Proposal,
} from '../../schemas/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace, parseFleetSpec, type SimRequest } from '../../sim/index.js';
import { openPostgres } from '../../stores/index.js';
import { collect, registerWorkload, replay, startRig, type EngineFigures, type Rig } from './agent-sim-rig.js';

const MODEL = 'llama-3.1-8b';

/**
 * One H100 running Llama 3.1 8B with `--gpu-memory-utilization 0.3`: ~6k-token prompts at 2/s
 * (60% sharing prefixes) need more KV than the 0.3 share leaves, so the engine preempts. The same
 * load as actors/resource/resource-scenarios.test.ts, where the analyzer asks for 0.9.
 */
function kvShortFleet(workload: string): ReturnType<typeof parseFleetSpec> {
  return parseFleetSpec({
    workload,
    seed: 3,
    telemetryIntervalSec: 10,
    replicas: [
      {
        node: `${workload}-n1`,
        instanceType: 'aws:p5.4xlarge',
        model: MODEL,
        engine: { maxModelLen: 32_768, gpuMemoryUtilization: 0.3 },
      },
    ],
  });
}

function trace(durationSec: number): SimRequest[] {
  return [
    ...generateSyntheticTrace(
      {
        ...DEFAULT_SYNTHETIC_PARAMS,
        durationSec,
        meanRatePerSec: 2,
        burstsPerHour: 0,
        diurnalAmplitude: 0,
        promptTokens: { median: 6000, sigma: 0.4, max: 30_000 },
        outputTokens: { median: 200, sigma: 0.5, max: 2000 },
        sharedPrefix: { groups: 4, blocks: 8, share: 0.6 },
      },
      5
    ),
  ];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function windowOf(
  figures: EngineFigures[],
  fromSec: number,
  toSec: number
): { preemptionsPerMin: number; ttftP99Ms: number } {
  const xs = figures.filter((f) => f.up && f.tSec > fromSec && f.tSec <= toSec);
  const minutes = (toSec - fromSec) / 60;
  return {
    preemptionsPerMin: xs.reduce((a, f) => a + f.preemptions, 0) / minutes,
    ttftP99Ms: median(xs.flatMap((f) => (f.ttftP99Ms === null ? [] : [f.ttftP99Ms]))),
  };
}

describe('e2e: an undersized KV cache on the simulated fleet, fixed by the resource agent, remembered', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('e2e_kv', ['resource']);
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  let first: Proposal | undefined;
  let appliedAtSec: number | undefined;

  it('preemptions ⇒ proposal ⇒ auto decision ⇒ edge action restarts the engine ⇒ preemptions and p99 TTFT drop ⇒ kept, in memory', async () => {
    const wl = 'wl-kv-a';
    await registerWorkload(rig.bus, wl, MODEL, 'auto');
    const spec = kvShortFleet(wl);
    const proposals = collect<Proposal>(rig.bus, subjects.rec('resource', wl), proposalV1);
    const results = collect<ActionResult>(rig.bus, subjects.evt('edge', 'action_result', wl), actionResultV1);
    const outcomes = collect<Notice>(rig.bus, subjects.evt('agent', 'outcome', wl), noticeV1);
    const node = spec.replicas[0]!.node;
    const { figures, sim } = await replay(rig, spec, trace(1_500), (i, _f, s) => {
      if (appliedAtSec === undefined && results.items.some((r) => r.status === 'succeeded')) {
        appliedAtSec = i.tSec;
        expect(s.replicaDetails().find((r) => r.node === node)!.engineArgs.gpuMemoryUtilization).not.toBe(0.3);
      }
      return outcomes.items.length > 0;
    });
    proposals.stop();
    results.stop();
    outcomes.stop();

    // the resource agent's proposal: an engine memory change for the preempting node
    first = proposals.items[0];
    expect(first, 'a resource proposal').toBeDefined();
    expect(first!.action.kind).toMatch(/^(reconfigure_engine|enable_kv_offload)$/);
    if (first!.action.kind === 'reconfigure_engine') {
      expect(Object.keys(first!.action.changes)).toEqual(['gpu-memory-utilization']);
    }
    expect(first!.target.nodes).toEqual([node]);
    const preemptEvidence = first!.evidence.find((e) => e.metric === 'vllm:num_preemptions_total increase');
    expect(preemptEvidence!.value).toBeGreaterThan(0);

    // the supervisor decided on its own (mode auto) and recorded it
    const db = openPostgres({ url: rig.pg.url });
    try {
      const d = await db.query<{ verdict: string; mode: string; execute: boolean; decided_by: string }>(
        'SELECT verdict, mode, execute, decided_by FROM decisions WHERE proposal_id = $1 ORDER BY decided_at',
        [first!.proposal_id]
      );
      expect(d.rows.find((r) => r.verdict === 'approved')).toMatchObject({ mode: 'auto', execute: true });

      // the edge action protocol restarted the engine with the new flags
      expect(appliedAtSec).toBeDefined();
      const after = sim.replicaDetails().find((r) => r.node === node)!;
      if (first!.action.kind === 'reconfigure_engine') {
        expect(after.engineArgs.gpuMemoryUtilization).toBe(first!.action.changes['gpu-memory-utilization']);
      }
      const capBefore = figures.find((f) => f.kvCapacityTokens !== undefined)!.kvCapacityTokens!;
      expect(after.kvCapacityTokens).toBeGreaterThan(capBefore);
      // the analyzer's prediction (capacity + added GiB ÷ KV bytes per token) within 0.1% of the engine's own
      const predicted = Number(
        /expected after: (\d+)/.exec(first!.evidence.find((e) => e.metric === 'KV capacity tokens')?.note ?? '')?.[1]
      );
      if (first!.action.kind === 'reconfigure_engine')
        expect(Math.abs(after.kvCapacityTokens / predicted - 1)).toBeLessThan(0.001);
      const down = figures.filter((f) => !f.up).map((f) => f.tSec);
      expect(down.length, 'the engine was down while it restarted').toBeGreaterThan(0);

      // preemptions and p99 TTFT: before the change vs the verify window once the engine is back
      const verifyS = first!.rollback_plan.verify_window_s;
      const backAt = Math.max(...down);
      const before = windowOf(figures, 0, appliedAtSec!);
      const verify = windowOf(figures, backAt, appliedAtSec! + verifyS);
      expect(before.preemptionsPerMin).toBeGreaterThan(0);
      expect(verify.preemptionsPerMin).toBeLessThan(before.preemptionsPerMin);
      expect(verify.ttftP99Ms).toBeLessThan(before.ttftP99Ms);

      // the agent judged it kept and the learning memory holds the verified outcome
      const o = outcomes.items[0]!;
      expect(o.attrs).toMatchObject({ proposal_id: first!.proposal_id, verdict: 'approved', outcome: 'kept' });
      const row = await db.query<{ agent: string; action_kind: string; kept: boolean; strategy: string }>(
        'SELECT agent, action_kind, kept, strategy FROM outcome_memory WHERE id = $1',
        [first!.proposal_id]
      );
      expect(row.rows).toEqual([
        { agent: 'resource', action_kind: first!.action.kind, kept: true, strategy: o.attrs.strategy },
      ]);
    } finally {
      await db.close();
    }
  }, 900_000);

  it('a later workload in the same situation gets the remembered case in its proposal’s confidence and evidence', async () => {
    expect(first, 'the first episode ran').toBeDefined();
    const wl = 'wl-kv-b';
    await registerWorkload(rig.bus, wl, MODEL, 'advisory');
    const proposals = collect<Proposal>(rig.bus, subjects.rec('resource', wl), proposalV1);
    await replay(rig, kvShortFleet(wl), trace(300), () => proposals.items.length > 0);
    proposals.stop();
    const p = proposals.items[0];
    expect(p, 'a resource proposal for the second workload').toBeDefined();
    const line = p!.evidence.find((e) => e.metric === 'similar past cases: realised share of prediction');
    expect(line, JSON.stringify(p!.evidence)).toBeDefined();
    expect(line!.note).toContain(`1 similar ${first!.action.kind} case(s), 1 kept`);
    // the same situation (same load, same engine) is a near-perfect match
    const sim = Number(/similarity ([0-9.]+)/.exec(line!.note ?? '')![1]);
    expect(sim).toBeGreaterThan(0.9);
    // a kept, money-neutral change delivered its whole prediction: realised share 1, so the blend
    // (actors/memory/adjust-confidence.ts) keeps the analyzer's own confidence, and says so
    expect(line!.value).toBe(1);
    expect(p!.confidence).toBe(first!.confidence);
    expect(line!.note).toContain(`confidence ${first!.confidence} → ${p!.confidence}`);
  }, 600_000);
});
