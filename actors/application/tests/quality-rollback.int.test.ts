/**
 * Quality above cost at the supervisor, end to end: the supervisor, an agent host with the cost
 * and application agents, and the cloud executor in-process over real NATS and PostgreSQL; the
 * simulated fleet on the lockstep clock. Four H100s serve ~4 req/s of Qwen2.5-7B, far below what
 * they can serve, so the cost agent scales down (mode auto; its verify window is cut to 60 s so it
 * is free to propose again soon). After that change the application's quality scores fall: the
 * code requests are scored by the simulator's quality model as if served by Llama 3.1 8B (0.58 →
 * 0.50, a 14% drop; sim/engine/quality-model.ts), beyond the default 5% threshold. The application agent proposes undoing the scale-down at the
 * top priority while the cost agent proposes another replica change; the supervisor picks the
 * rollback and rejects the cost proposal naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../../bus/index.js';
import {
  appTelemetryT1V1,
  decisionV1,
  decisionV2,
  proposalV1,
  subjects,
  type AppTelemetryT1,
  type Decision,
  type Proposal,
} from '../../../schemas/index.js';
import { DEFAULT_SYNTHETIC_PARAMS, generateSyntheticTrace, parseFleetSpec } from '../../../sim/index.js';
import { openPostgres } from '../../../stores/index.js';
import { collect, registerWorkload, replay, startRig, type Rig } from '../../../tests/e2e/agent-sim-rig.js';
import { createCostAnalyzers, DEFAULT_COST_CONFIG } from '../../cost/index.js';
import { appTelemetryFromTrace } from './app-telemetry-gen.js';

const WL = 'wl-quality';
const MODEL = 'qwen2.5-7b';

describe('e2e: a quality regression rolls back a cost change, winning over a cost proposal', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('e2e_quality', ['cost', 'application'], {
      analyzers: {
        cost: createCostAnalyzers({
          ...DEFAULT_COST_CONFIG,
          verifyWindowS: { ...DEFAULT_COST_CONFIG.verifyWindowS, scale: 60 },
        }),
      },
      // one cadence (60 s) wide, so proposals of both agents' runs meet in one window
      arbitrationWindowMs: 60_000,
    });
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('the application rollback wins; the cost proposal is rejected with the reason, in the audit', async () => {
    await registerWorkload(rig.bus, WL, MODEL, 'auto');
    const spec = parseFleetSpec({
      workload: WL,
      seed: 3,
      telemetryIntervalSec: 10,
      replicas: Array.from({ length: 4 }, (_, i) => ({
        node: `q${i}`,
        instanceType: 'aws:p5.4xlarge',
        model: MODEL,
        engine: { maxModelLen: 16_384 },
      })),
    });
    const trace = [
      ...generateSyntheticTrace(
        {
          ...DEFAULT_SYNTHETIC_PARAMS,
          durationSec: 1_800,
          meanRatePerSec: 4,
          burstsPerHour: 0,
          diurnalAmplitude: 0,
          taskClass: 'code',
        },
        3
      ),
    ];
    const startMs = Date.parse(spec.start);
    const app = (change: boolean): Array<{ ts: number; data: AppTelemetryT1 }> =>
      appTelemetryFromTrace(trace, {
        workload: WL,
        startMs,
        windowS: 10,
        tier: 1,
        model: MODEL,
        quality: {
          model: MODEL,
          seed: 7,
          sampleShare: 0.5,
          ...(change ? { change: { atSec: 0, model: 'llama-3.1-8b' as const } } : {}),
        },
      }) as Array<{ ts: number; data: AppTelemetryT1 }>;
    const before = app(false);
    const dropped = app(true);
    const costProposals = collect<Proposal>(rig.bus, subjects.rec('cost', WL), proposalV1);
    const appProposals = collect<Proposal>(rig.bus, subjects.rec('application', WL), proposalV1);
    // a scale-down of most of the fleet goes out as decision.v2 (with its rollout steps)
    const decisions = collect<Decision>(rig.bus, subjects.dec(WL), [decisionV1, decisionV2]);
    let sent = 0;
    let changedAt: number | undefined;
    const rollback = (): Proposal | undefined =>
      appProposals.items.find((p) => p.evidence.some((e) => e.metric === 'relative quality drop'));
    await replay(
      rig,
      spec,
      trace,
      () => {
        const rb = rollback();
        return rb !== undefined && decisions.items.some((d) => d.proposal_id === rb.proposal_id);
      },
      async (_i, at) => {
        // the first approved change is the one the quality drop follows
        if (changedAt === undefined) {
          const d = decisions.items.find((x) => x.verdict === 'approved');
          if (d) changedAt = at.getTime();
        }
        while (sent < before.length && before[sent]!.ts < at.getTime()) {
          const s = changedAt !== undefined && before[sent]!.ts >= changedAt ? dropped[sent]! : before[sent]!;
          await publish(rig.bus.js, subjects.tel('app', WL, s.data.node), appTelemetryT1V1, s.data, {
            source: 'test-gateway',
            ts: new Date(s.ts),
            id: `app-${WL}-${s.ts}`,
          });
          sent++;
        }
      }
    );
    costProposals.stop();
    appProposals.stop();
    decisions.stop();
    const story = JSON.stringify({
      cost: costProposals.items.map((p) => [p.proposal_id, p.action, p.resource]),
      app: appProposals.items.map((p) => [p.proposal_id, p.action, p.resource]),
      decisions: decisions.items.map((d) => [d.proposal_id, d.verdict, d.reason]),
    });

    // the change: the cost agent's scale-down, approved and executed
    const change = costProposals.items[0];
    expect(change?.action.kind, story).toBe('scale_replicas');
    expect(decisions.items.find((d) => d.proposal_id === change!.proposal_id)?.verdict, story).toBe('approved');

    // the application agent's rollback: the change's undo, top priority, with the quality figures
    const rb = rollback();
    expect(rb, story).toBeDefined();
    expect(rb!.priority_class).toBe('quality');
    expect(rb!.action).toEqual(change!.rollback_plan.action);
    const drop = rb!.evidence.find((e) => e.metric === 'relative quality drop')!;
    // expected (0.58 − 0.50) / 0.58 = 0.138 from the quality matrix, within the sampling noise
    expect(drop.value).toBeGreaterThan(0.05);
    expect(drop.value).toBeCloseTo(0.138, 1);

    // a cost proposal for the same resource in the rollback's window, and the supervisor's choice
    const rival = costProposals.items.find((p) => p !== change && p.resource === rb!.resource);
    expect(rival, story).toBeDefined();
    const rbDecision = decisions.items.find((d) => d.proposal_id === rb!.proposal_id)!;
    expect(rbDecision.verdict).toBe('approved');
    const db = openPostgres({ url: rig.pg.url });
    try {
      const lost = await db.query<{ verdict: string; payload: unknown }>(
        'SELECT verdict, payload FROM decisions WHERE proposal_id = $1',
        [rival!.proposal_id]
      );
      expect(
        lost.rows.map((r) => r.verdict),
        story
      ).toEqual(['rejected']);
      // the reason names the winner and the rule (quality above cost)
      const reason = JSON.stringify(lost.rows[0]!.payload);
      expect(reason).toContain(`lost to ${rb!.proposal_id}`);
      expect(reason).toMatch(/quality/);
      const wire = decisions.items.find((d) => d.proposal_id === rival!.proposal_id);
      expect(wire?.verdict, story).toBe('rejected');
      expect(wire!.reason).toContain(`lost to ${rb!.proposal_id}`);
      const audit = await db.query<{ kind: string; row: unknown }>(
        'SELECT kind, row FROM decision_audit WHERE proposal_id = $1 ORDER BY at, id',
        [rival!.proposal_id]
      );
      expect(audit.rowCount).toBeGreaterThan(0);
      expect(JSON.stringify(audit.rows)).toContain(rb!.proposal_id);
    } finally {
      await db.close();
    }
  }, 600_000);
});
