import { describe, expect, it } from 'vitest';
import { Arbiter } from './arbiter.js';
import type { Proposal } from '../../schemas/index.js';
import { T0, decisionsOf, fatesOf, proposal, workload } from './proposal-fixtures.js';
import type { WorkloadContext } from './workload-context.js';

interface Scenario {
  source: string;
  name: string;
  ctx?: Partial<WorkloadContext>;
  proposals: Proposal[];
  /** Proposals that run (approved, executing), in the order decided. */
  winners: string[];
  /** Fate and a fragment of the reason of every other proposal. */
  others: Record<string, [fate: string, reason: RegExp]>;
  /** Extra checks on the winners' decision effects. */
  check?: (d: ReturnType<typeof decisionsOf>) => void;
}

const scaleDown = (id = 'p-cost-down') =>
  proposal(id, { priority_class: 'cost', action: { kind: 'scale_replicas', from: 10, to: 9 }, usd: -2_000 });
const scaleUp = (id = 'p-perf-up') =>
  proposal(id, { priority_class: 'slo', action: { kind: 'scale_replicas', from: 10, to: 12 }, usd: 4_000, slo: 0.04 });

const scenarios: Scenario[] = [
  {
    source: 'seed 000 §4.5.2 row 1, §4.5.3 rule 1, §19.2 scenario 1',
    name: 'cost scales down, performance scales up: performance wins (SLO priority)',
    proposals: [scaleDown(), scaleUp()],
    winners: ['p-perf-up'],
    others: { 'p-cost-down': ['rejected', /priority slo > cost; opposed: scale 10→12 replicas vs scale 10→9/] },
    check: (d) => expect(d.find((x) => x.execute)?.capacity).toBeUndefined(),
  },
  {
    source: 'seed 000 §19.2 scenario 1 "Compromise: scale up minimally, use spot instances"',
    name: 'same conflict with spot allowed: the scale-up runs on spot',
    ctx: { constraints: { spot_allowed: true } },
    proposals: [scaleDown(), scaleUp()],
    winners: ['p-perf-up'],
    others: { 'p-cost-down': ['rejected', /lost to p-perf-up/] },
    check: (d) => {
      const win = d.find((x) => x.execute);
      expect(win?.capacity).toBe('spot');
      expect(win?.decision.reason).toMatch(/joint with p-cost-down: scale up on spot/);
    },
  },
  {
    source: 'seed 000 §4.5.2 row 2 (risk tolerance)',
    name: 'cost migrates to spot, performance stays on-demand: performance wins',
    ctx: { constraints: { spot_allowed: true } },
    proposals: [
      proposal('p-cost-spot', {
        priority_class: 'cost',
        action: { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
        target: { workload: 'wl-1', nodes: ['node-1'] },
        usd: -1_400,
      }),
      proposal('p-perf-ondemand', {
        priority_class: 'slo',
        action: { kind: 'change_purchase_option', from: 'on_demand', to: 'on_demand' },
        slo: 0.01,
      }),
    ],
    winners: ['p-perf-ondemand'],
    others: { 'p-cost-spot': ['rejected', /priority slo > cost; opposed: stay on_demand vs purchase on_demand→spot/] },
  },
  {
    source: 'seed 000 §4.5.2 row 3 (resource allocation)',
    name: 'cost downsizes g4dn.xlarge, performance keeps it: performance wins',
    proposals: [
      proposal('p-cost-downsize', {
        priority_class: 'cost',
        action: { kind: 'change_instance_type', from: 'g4dn.xlarge', to: 'g4dn.medium' },
        usd: -3_000,
      }),
      proposal('p-perf-keep', {
        priority_class: 'slo',
        action: { kind: 'change_instance_type', from: 'g4dn.xlarge', to: 'g4dn.xlarge' },
        slo: 0.02,
      }),
    ],
    winners: ['p-perf-keep'],
    others: { 'p-cost-downsize': ['rejected', /opposed: keep g4dn.xlarge vs instance g4dn.xlarge→g4dn.medium/] },
  },
  {
    source: 'seed 000 §19.2 scenario 2 "Deploy KVOptkit first (enables both)"',
    name: 'resource needs memory, cost wants a cheaper GPU: KV offload first, then the cheaper GPU',
    proposals: [
      proposal('p-cost-cheaper', {
        priority_class: 'cost',
        action: { kind: 'change_instance_type', from: 'p4d.24xlarge', to: 'g6e.12xlarge' },
        usd: -9_000,
        gib: -16,
      }),
      proposal('p-res-bigger', {
        priority_class: 'resource',
        action: { kind: 'change_instance_type', from: 'p4d.24xlarge', to: 'p4de.24xlarge' },
        usd: 3_000,
        gib: 40,
      }),
      proposal('p-res-offload', {
        priority_class: 'resource',
        action: { kind: 'enable_kv_offload', cpu_gib: 64 },
        target: { workload: 'wl-1', nodes: ['node-1'] },
        gib: 40,
      }),
    ],
    winners: ['p-res-offload', 'p-cost-cheaper'],
    others: { 'p-res-bigger': ['superseded', /KV offload first/] },
    check: (d) => {
      const cheaper = d.find((x) => x.decision.proposal_id === 'p-cost-cheaper');
      expect(cheaper?.after).toBe('p-res-offload');
      expect(cheaper?.decision.reason).toMatch(/after KV offload p-res-offload/);
    },
  },
  {
    source: 'seed 000 §4.5.3 rule 1 and §19.1 pattern 3 (resource, to prevent OOM, before cost)',
    name: 'resource and cost both retune the engine: resource wins',
    proposals: [
      proposal('p-cost-util', {
        priority_class: 'cost',
        action: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.95 } },
        target: { workload: 'wl-1', nodes: ['node-1'] },
        usd: -500,
      }),
      proposal('p-res-util', {
        priority_class: 'resource',
        action: { kind: 'reconfigure_engine', changes: { 'gpu-memory-utilization': 0.85 } },
        target: { workload: 'wl-1', nodes: ['node-1'] },
        gib: -4,
      }),
    ],
    winners: ['p-res-util'],
    others: { 'p-cost-util': ['rejected', /priority resource > cost; opposed/] },
  },
  {
    source: 'seed 001 "Conflict Resolution" (application quality above performance SLOs); DESIGN.md order',
    name: 'application keeps a long context for quality, performance shortens it: quality wins',
    proposals: [
      proposal('p-perf-ctx', {
        priority_class: 'slo',
        action: { kind: 'set_context_limit', max_model_len: 8_192 },
        target: { workload: 'wl-1', nodes: ['node-1'] },
        slo: 0.03,
      }),
      proposal('p-app-ctx', {
        priority_class: 'quality',
        action: { kind: 'set_context_limit', max_model_len: 32_768 },
        target: { workload: 'wl-1', nodes: ['node-1'] },
        slo: 0.01,
      }),
    ],
    winners: ['p-app-ctx'],
    others: { 'p-perf-ctx': ['rejected', /priority quality > slo; opposed/] },
  },
  {
    source: 'seed 001 "Customer preferences (highest)"; DESIGN.md "operator pin or constraint"',
    name: 'operator pins the replicas: the scale-up is refused naming the pin',
    ctx: { pins: [{ resource: 'replicas', by: 'alice' }] },
    proposals: [scaleUp()],
    winners: [],
    others: { 'p-perf-up': ['rejected', /replicas is pinned by alice/] },
  },
  {
    source: 'seed 000 §4.5.3 strategy 3 (constraint "max_cost_increase: 10%")',
    name: 'the scale-up breaks max_cost_increase_pct without spot: refused, the scale-down proceeds',
    ctx: { constraints: { spot_allowed: false, max_cost_increase_pct: 10 } },
    proposals: [
      scaleDown(),
      proposal('p-perf-big', {
        priority_class: 'slo',
        action: { kind: 'scale_replicas', from: 10, to: 11 },
        usd: 2_500,
      }),
    ],
    winners: ['p-cost-down'],
    others: { 'p-perf-big': ['rejected', /over 10% of 20000 \(2000\)/] },
  },
  {
    source: 'seed 000 §4.5.3 strategy 3 with §19.2 scenario 1 (spot makes the increase fit)',
    name: 'same increase with spot allowed: runs on spot, 2500 × (1 − 0.7) = 750 ≤ 2000',
    ctx: { constraints: { spot_allowed: true, max_cost_increase_pct: 10 } },
    proposals: [
      proposal('p-perf-big', {
        priority_class: 'slo',
        action: { kind: 'scale_replicas', from: 10, to: 11 },
        usd: 2_500,
      }),
    ],
    winners: ['p-perf-big'],
    others: {},
    check: (d) => expect(d.find((x) => x.execute)?.capacity).toBe('spot'),
  },
  {
    source: 'DESIGN.md "Ties: expected impact × confidence, then oldest"',
    name: 'two cost proposals: the larger impact × confidence wins',
    proposals: [
      proposal('p-cost-small', {
        priority_class: 'cost',
        action: { kind: 'scale_replicas', from: 10, to: 9 },
        usd: -2_000,
        confidence: 0.9,
      }),
      proposal('p-cost-large', {
        priority_class: 'cost',
        action: { kind: 'scale_replicas', from: 10, to: 8 },
        usd: -4_000,
        confidence: 0.6,
      }),
    ],
    winners: ['p-cost-large'],
    others: { 'p-cost-small': ['rejected', /impact × confidence 2400 > 1800/] },
  },
  {
    source: 'seed 003 "WORKFLOW EXAMPLE: Spot Migration" (gradual rollout 10% → 50% → 100%)',
    name: 'spot migration of all 10 replicas rolls out 1 → 5 → 10',
    ctx: { constraints: { spot_allowed: true } },
    proposals: [
      proposal('p-cost-spotall', {
        priority_class: 'cost',
        action: { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
        usd: -9_800,
      }),
    ],
    winners: ['p-cost-spotall'],
    others: {},
    check: (d) => expect(d[0]?.rollout?.steps.map((s) => s.replicas)).toEqual([1, 5, 10]),
  },
];

describe('priority conflict scenarios from the seeds', () => {
  it.each(scenarios)('$source: $name', (s) => {
    const arbiter = new Arbiter();
    arbiter.setWorkload(workload({ ...s.ctx, mode: 'auto' }));
    const effects = s.proposals.flatMap((p, i) => arbiter.submit(p, T0 + i * 1_000));
    effects.push(...arbiter.advance(T0 + 60_000));
    const decisions = decisionsOf(effects);
    expect(decisions.filter((d) => d.execute).map((d) => d.decision.proposal_id)).toEqual(s.winners);
    const fates = fatesOf(effects);
    for (const w of s.winners) expect(fates[w]).toBe('decided');
    for (const [id, [fate, reason]] of Object.entries(s.others)) {
      expect(fates[id], id).toBe(fate);
      const outcome = effects.find((e) => e.type === 'outcome' && e.proposalId === id);
      expect(outcome?.type === 'outcome' && outcome.reason, id).toMatch(reason);
    }
    s.check?.(decisions);
  });
});
