import type { z } from 'zod';
import type { Envelope, EnvelopeHeader } from './envelope.js';
import type { MessageDef } from './registry.js';
import { errorReply } from './errors.js';
import { actionResultV1, actionV1 } from './action.v1.js';
import { decisionV1 } from './decision.v1.js';
import { decisionV2 } from './decision.v2.js';
import {
  approveDecisionV1,
  decisionPageV1,
  decisionVerdictV1,
  fleetStateV1,
  listDecisionsV1,
  pauseFleetV1,
  rejectDecisionV1,
  resumeFleetV1,
  setWorkloadModeV1,
  workloadModeV1,
} from './decision-commands.v1.js';
import { dlqEntryV1, noticeV1 } from './event.v1.js';
import { proposalV1 } from './proposal.v1.js';
import { appTelemetryT1V1, appTelemetryT2V1, appTelemetryT3V1 } from './app-telemetry-tiers.v1.js';
import { appTelemetryV1, costTelemetryV1, engineTelemetryV1, gpuTelemetryV1 } from './telemetry.v1.js';
import {
  getWorkloadV1,
  listWorkloadsV1,
  registerWorkloadV1,
  updateWorkloadV1,
  workloadPageV1,
  workloadRecordV1,
  workloadRegisteredV1,
  workloadUpdatedV1,
  type workloadSpec,
} from './workload.v1.js';
import { registerWorkloadV2, workloadRecordV2 } from './workload.v2.js';
import { clockAckV1, clockTickV1, fenceV1, probeSeenV1, supervisorStateV1, supervisorStatusV1 } from './runtime.v1.js';
import { addReportAndCloudExamples } from './examples-reports-cloud.js';

/**
 * One realistic payload (or more) per registered message, for round-trip tests here and as
 * fixtures for other modules' tests. Numbers come from the H100 captures and the vLLM metrics
 * sample in shared/data. A test fails when a registered message has no example.
 */

const table = new Map<string, unknown[]>();

function add<S extends z.ZodType>(def: MessageDef<S>, ...examples: [z.input<S>, ...z.input<S>[]]): void {
  table.set(def.id, examples);
}

const TS = '2026-11-24T14:40:50Z';
const WL = 'chat-llama-8b';
const NODE = 'gpu-node-01';
const H100_UUID = 'GPU-c6c4c736-58fd-3a3f-976a-87a7829aec20';
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

const kvOffload = { kind: 'enable_kv_offload', cpu_gib: 64 } as const;
const kvOffloadUndo = { kind: 'reconfigure_engine', changes: { 'kv-offloading-size': null } } as const;

const spec = {
  workload: WL,
  name: 'Support chat (Llama 3.1 8B)',
  model: MODEL,
  engine: 'vllm',
  mode: 'semi',
  privacy_tier: 1,
  slo: { ttft_p95_ms: 500, tpot_mean_ms: 50, attainment: 0.99 },
  constraints: { max_cost_increase_pct: 10, spot_allowed: true, allowed_instance_types: ['p5.4xlarge', 'g6e.xlarge'] },
  labels: { team: 'support', env: 'prod' },
  owner: 'team-support',
} satisfies z.input<typeof workloadSpec>;

const record = {
  ...spec,
  revision: 3,
  registered_at: '2026-11-20T09:12:00Z',
  updated_at: TS,
  last_command: '01JDX7PZ0K-cli-ops',
};

add(errorReply, {
  code: 'OI_INVALID_PAYLOAD',
  message: 'invalid oi.tel.gpu.v1: data.gpus[0].util_pct: Too big: expected number to be <=100 (too_big)',
  issues: [{ path: 'data.gpus[0].util_pct', rule: 'too_big', message: 'Too big: expected number to be <=100' }],
  hint: 'send utilization as a number 0-100 without the % sign',
});

add(registerWorkloadV1, { workload: WL, name: 'Support chat (Llama 3.1 8B)', model: MODEL });
add(updateWorkloadV1, { workload: WL, mode: 'auto', expected_revision: 3 });
add(getWorkloadV1, { workload: WL });
add(listWorkloadsV1, { mode: 'semi', limit: 50 });
add(workloadRecordV1, record);
add(workloadPageV1, { items: [record], next: WL });
add(workloadRegisteredV1, { ...record, revision: 1, updated_at: record.registered_at });
add(workloadUpdatedV1, { ...record, changed: ['mode'] });

const { workload: _wl, ...specWithoutWorkload } = spec;
add(registerWorkloadV2, { id: WL, ...specWithoutWorkload, owner: 'team-support' });
add(workloadRecordV2, { id: 'batch-summarize', owner: null, ...recordRestOf(record) });

function recordRestOf(r: typeof record): Omit<typeof record, 'workload' | 'owner'> {
  const { workload: _w, owner: _o, ...rest } = r;
  return rest;
}

add(
  gpuTelemetryV1,
  {
    node: NODE,
    workload: WL,
    driver_version: '580.159.04',
    gpus: [
      {
        index: 0,
        uuid: H100_UUID,
        name: 'NVIDIA H100 80GB HBM3',
        pci_bus_id: '00000000:00:06.0',
        memory_used_mib: 39159,
        memory_total_mib: 81559,
        memory_reserved_mib: 480,
        util_pct: 100,
        mem_util_pct: 30,
        power_w: 697.58,
        power_limit_w: 700,
        sm_clock_mhz: 1335,
        mem_clock_mhz: 2619,
        temp_c: 61,
        ecc_uncorrected: 0,
        mig_mode: 'disabled',
        pstate: 'P0',
      },
    ],
    processes: [{ pid: 430, gpu_uuid: H100_UUID, used_mib: 39150, name: 'python3' }],
  },
  {
    // a MIG-enabled board: utilization and ECC read [N/A]
    node: 'gpu-node-07',
    workload: WL,
    gpus: [
      {
        index: 0,
        uuid: 'GPU-5e2a7c10-1f4b-4c8e-9a61-0d3b2f7e8a90',
        name: 'NVIDIA A100-SXM4-80GB',
        memory_used_mib: 20480,
        memory_total_mib: 81920,
        util_pct: null,
        mem_util_pct: null,
        power_w: 212.4,
        power_limit_w: 400,
        sm_clock_mhz: 1410,
        mem_clock_mhz: 1593,
        temp_c: 48,
        ecc_uncorrected: null,
        mig_mode: 'enabled',
      },
    ],
  }
);

add(
  engineTelemetryV1,
  {
    node: NODE,
    workload: WL,
    engine: 'vllm',
    model: MODEL,
    window_s: 60,
    up: true,
    requests_running: 8,
    requests_waiting: 0,
    kv_cache_usage: 0.27,
    kv_capacity_tokens: 455_312,
    prefix_cache_hit_rate: 0.41,
    prompt_tokens_per_s: 1850.4,
    generation_tokens_per_s: 912.7,
    preemptions_total: 0,
    request_success_total: { stop: 1, length: 131, abort: 0 },
    ttft_ms: { p50: 42, p95: 118, p99: 240 },
    itl_ms: { p50: 11.2, p95: 14.8, p99: 22.5 },
    e2e_ms: { p50: 2900, p95: 7400, p99: 9800 },
  },
  {
    node: NODE,
    workload: WL,
    engine: 'vllm',
    model: MODEL,
    window_s: 60,
    up: false,
    scrape_error: 'GET http://127.0.0.1:8000/metrics: connect ECONNREFUSED 127.0.0.1:8000',
  }
);

add(
  appTelemetryV1,
  {
    node: 'gw-1',
    workload: WL,
    privacy_tier: 1,
    window_s: 300,
    model: MODEL,
    requests_total: 4210,
    requests_failed: 12,
    tokens_in: 6_105_300,
    tokens_out: 1_120_400,
    latency_ms: { p50: 2800, p95: 7300, p99: 9900 },
    input_tokens_p95: 3900,
    long_input_short_output: 57,
  },
  {
    node: 'gw-1',
    workload: 'legal-review',
    privacy_tier: 3,
    window_s: 300,
    model: 'Qwen/Qwen2.5-32B-Instruct',
    requests_total: 310,
    requests_failed: 0,
    tokens_in: 1_850_000,
    tokens_out: 96_200,
    quality_score: 0.87,
    prompt_patterns: { few_shot: 0.6, zero_shot: 0.4 },
    samples: [{ request_id: 'req-8f3a', prompt: 'Summarise clause 4.2 …', completion: 'Clause 4.2 limits …' }],
  }
);

const CHAT_ROW = {
  ...{ request_type: 'chat', model: MODEL, requests: 3900, errors: { timeout: 9, context_length: 3 } },
  input_tokens: { mean: 1155, sd: 620, p50: 1020, p95: 2350, max: 7900 },
  output_tokens: { mean: 211, sd: 190, p50: 129, p95: 610, max: 2048 },
  ...{ latency_ms: { p50: 2800, p95: 7300, p99: 9900 }, long_input_short_output: 21, quality_score: 0.56 },
  quality_scored: 390,
};
const APP_WINDOW = { node: 'gw-1', workload: WL, window_s: 300 };
const RAG = { requests: 3850, docs_per_request_mean: 12, relevance_score_mean: 0.62, chunk_tokens_mean: 1100 };
const AGGREGATES = {
  prompt_patterns: { few_shot: 0.6 },
  rag: RAG,
  prefix_reuse: { repeated_share: 0.71, repeated_tokens_mean: 1536 },
};

add(appTelemetryT1V1, { ...APP_WINDOW, privacy_tier: 1, by_request_type: [CHAT_ROW] });
add(appTelemetryT2V1, { ...APP_WINDOW, privacy_tier: 2, by_request_type: [{ ...CHAT_ROW, ...AGGREGATES }] });
add(appTelemetryT3V1, {
  ...{ ...APP_WINDOW, privacy_tier: 3, by_request_type: [{ ...CHAT_ROW, request_type: 'summarization' }] },
  samples: [{ request_id: 'req-8f3a', request_type: 'summarization', prompt: 'Summarise clause 4.2 …' }],
});

add(costTelemetryV1, {
  node: NODE,
  workload: WL,
  instance_id: 'i-0abc12de34f567890',
  instance_type: 'p5.4xlarge',
  provider: 'aws',
  region: 'us-east-1',
  zone: 'us-east-1a',
  gpu_type: 'H100-80GB',
  gpu_count: 1,
  purchase_option: 'on_demand',
  usd_per_hour: 6.88,
  interval_s: 60,
});

add(
  proposalV1,
  {
    proposal_id: 'prop-resource-chat-llama-8b-0042',
    agent: 'resource',
    workload: WL,
    resource: 'engine_config',
    action: kvOffload,
    target: { workload: WL, nodes: [NODE] },
    expected_impact: { usd_per_month: 0, slo_attainment_delta: 0.03 },
    confidence: 0.8,
    risk: 'low',
    priority_class: 'resource',
    evidence: [
      { metric: 'vllm:kv_cache_usage_perc p95', value: 0.97, window_s: 900 },
      { metric: 'vllm:num_preemptions_total increase', value: 41, unit: 'preemptions', window_s: 900 },
      { metric: 'node free memory', value: 412, unit: 'GiB', note: 'host RAM available for KV blocks' },
    ],
    rollback_plan: { action: kvOffloadUndo, verify_window_s: 900 },
    epoch: 7,
    expires_at: '2026-11-24T15:10:50Z',
    explanation:
      'KV cache sat above 95% for 15 minutes and 41 requests were preempted; offloading to 64 GiB of CPU memory keeps them resident.',
    explained_by: 'template',
  },
  {
    proposal_id: 'prop-cost-chat-llama-8b-0017',
    agent: 'cost',
    workload: WL,
    resource: 'purchase_option',
    action: { kind: 'change_purchase_option', from: 'on_demand', to: 'spot' },
    target: { workload: WL },
    expected_impact: { usd_per_month: -2519.5 },
    confidence: 0.7,
    risk: 'medium',
    priority_class: 'cost',
    evidence: [{ metric: 'p5.4xlarge on-demand price', value: 6.88, unit: 'USD/h' }],
    rollback_plan: { action: { kind: 'change_purchase_option', from: 'spot', to: 'on_demand' }, verify_window_s: 3600 },
    epoch: 7,
    expires_at: '2026-11-24T16:40:50Z',
    explanation: 'Spot capacity for p5.4xlarge is interrupted in under 10% of hours; spot_allowed is set.',
  }
);

add(decisionV1, {
  decision_id: 'dec-chat-llama-8b-0042',
  proposal_id: 'prop-resource-chat-llama-8b-0042',
  workload: WL,
  verdict: 'approved',
  reason: 'low risk in semi mode; no conflicting proposal in the window',
  action: kvOffload,
  epoch: 7,
  lock: { resource: 'engine_config', ttl_s: 900 },
  decided_by: 'supervisor',
  mode: 'semi',
});

add(decisionV2, {
  decision_id: 'dec-chat-llama-8b-0043',
  proposal_id: 'prop-performance-chat-llama-8b-0043',
  workload: WL,
  verdict: 'approved',
  reason: 'slo > cost; auto mode; joint: the added replicas run on spot (seed 000 §19.2 scenario 1)',
  action: { kind: 'scale_replicas', from: 20, to: 24 },
  epoch: 7,
  lock: { resource: 'replicas', ttl_s: 900 },
  decided_by: 'supervisor',
  mode: 'auto',
  execute: true,
  capacity: { purchase_option: 'spot', why: 'spot allowed and the change is low risk: 30% cheaper capacity' },
  rollout: {
    total_replicas: 4,
    steps: [
      { share: 0.25, replicas: 1 },
      { share: 0.5, replicas: 2 },
      { share: 1, replicas: 4 },
    ],
    current: 0,
    status: 'running',
  },
});

add(actionV1, {
  action_id: 'act-chat-llama-8b-0042-1',
  decision_id: 'dec-chat-llama-8b-0042',
  node: NODE,
  workload: WL,
  verb: 'engine.reconfigure',
  params: { changes: { 'kv-offloading-size': 64, 'kv-offloading-backend': 'native' } },
  epoch: 7,
  deadline: '2026-11-24T14:45:50Z',
});

add(actionResultV1, {
  action_id: 'act-chat-llama-8b-0042-1',
  decision_id: 'dec-chat-llama-8b-0042',
  node: NODE,
  workload: WL,
  status: 'succeeded',
  detail: 'engine restarted with --kv-offloading-size 64 in 41 s; health checks pass',
  metrics_before: { kv_cache_usage_p95: 0.97, preemptions_per_min: 2.7 },
  metrics_after: { kv_cache_usage_p95: 0.82, preemptions_per_min: 0 },
});

add(noticeV1, {
  domain: 'supervisor',
  event: 'guardrail_blocked',
  workload: WL,
  severity: 'warning',
  message: 'scale_replicas held back: 6 actions in the last hour (cap 6)',
  attrs: { guardrail: 'actions_per_hour', limit: 6, proposal_id: 'prop-perf-chat-llama-8b-0051' },
});

add(
  dlqEntryV1,
  {
    stream: 'OI_TEL',
    subject: 'oi.v1.tel.gpu.chat-llama-8b.gpu-node-01',
    reason:
      'invalid oi.tel.gpu.v1: data.gpus[0].util_pct: Invalid input: expected number, received string (invalid_type)',
    issues: [
      {
        path: 'data.gpus[0].util_pct',
        rule: 'invalid_type',
        message: 'Invalid input: expected number, received string',
      },
    ],
    schema: 'oi.tel.gpu.v1',
    original_id: '01JDX7Q4M2-gpu-node-01',
    deliveries: 1,
    received_at: '2026-11-24T14:40:51Z',
    headers: { 'Nats-Msg-Id': '01JDX7Q4M2-gpu-node-01' },
    payload_b64:
      'eyJzY2hlbWEiOiJvaS50ZWwuZ3B1LnYxIiwiaWQiOiIwMUpEWDdRNE0yLWdwdS1ub2RlLTAxIiwidHMiOiIyMDI2LTExLTI0VDE0OjQwOjUwWiIsInNvdXJjZSI6ImdwdS1lZGdlL2dwdS1ub2RlLTAxIiwiZGF0YSI6eyJub2RlIjoiZ3B1LW5vZGUtMDEiLCJ3b3JrbG9hZCI6ImNoYXQtbGxhbWEtOGIiLCJncHVzIjpbeyJpbmRleCI6MCwidXRpbF9wY3QiOiIxMDAgJSJ9XX19',
  },
  {
    stream: 'OI_TEL',
    subject: 'oi.v1.tel.app.chat-llama-8b.gw-1',
    reason: 'invalid oi.tel.app.v1: data.samples: request content needs privacy_tier 3 (custom)',
    issues: [{ path: 'data.samples', rule: 'custom', message: 'request content needs privacy_tier 3' }],
    schema: 'oi.tel.app.v1',
    original_id: '01JDX7R0-app-gw-1',
    received_at: '2026-11-24T14:41:02Z',
    headers: { 'Nats-Msg-Id': '01JDX7R0-app-gw-1', Authorization: '[redacted]' },
    payload_sha256: '6e35b6631e6ba61d7d8428ff24a52682d94f569a02c181da6bda7c12f9c5788c',
    payload_size: 106,
  }
);

add(fenceV1, { partition: 7, epoch: 12, holder: 'host-a-4121-9f3c' });
add(clockTickV1, { seq: 3600, t: TS });
add(clockAckV1, { seq: 3600, t: TS, host: 'host-a-4121-9f3c', partitions: [0, 7, 12], processed: 5120 });
add(supervisorStatusV1, {});
add(probeSeenV1, { workload: WL, message_id: '01JDX7Q4M2-gpu-node-01', count: 42, partition: 7, epoch: 12 });
add(supervisorStateV1, {
  leader: { holder: 'sup-1-77-a1b2', epoch: 3, age_ms: 15_200 },
  partitions: 2,
  hosts: [
    { host: 'host-a-4121-9f3c', assigned: 1, held: 1, heartbeat_age_ms: 310, actors: 4, processed: 1200, restarts: 0 },
    { host: 'host-b-4188-03de', assigned: 1, held: 1, heartbeat_age_ms: 150, actors: 8, processed: 2210, restarts: 1 },
  ],
  leases: [
    { partition: 0, holder: 'host-a-4121-9f3c', epoch: 4, age_ms: 320, live: true, assigned_to: 'host-a-4121-9f3c' },
    { partition: 1, holder: 'host-b-4188-03de', epoch: 9, age_ms: 170, live: true, assigned_to: 'host-b-4188-03de' },
  ],
  unassigned: [],
});

add(approveDecisionV1, { proposal_id: 'prop-cost-chat-llama-8b-0017' });
add(rejectDecisionV1, { proposal_id: 'prop-cost-chat-llama-8b-0017', reason: 'spot capacity is short this week' });
add(listDecisionsV1, { workload: WL, limit: 20 });
add(decisionVerdictV1, {
  proposal_id: 'prop-cost-chat-llama-8b-0017',
  workload: WL,
  fate: 'decided',
  verdict: 'approved',
  decision_id: '01JDX7T2K9-sup-3f1a',
  execute: true,
  by: 'alice@ops',
  reason: 'approved by alice@ops',
});
add(decisionPageV1, {
  items: [
    {
      proposal_id: 'prop-cost-chat-llama-8b-0017',
      decision_id: '01JDX7S8Q1-sup-3f1a',
      workload: WL,
      resource: 'purchase_option',
      priority_class: 'cost',
      action: 'change_purchase_option on_demand → spot',
      reason: 'unopposed; medium risk in semi mode waits for approval (until 2026-11-24T16:40:50.000Z)',
      decided_at: TS,
      expires_at: '2026-11-24T16:40:50Z',
    },
  ],
});
add(setWorkloadModeV1, { workload: WL, mode: 'auto' });
add(workloadModeV1, { workload: WL, mode: 'auto', previous: 'semi', set_by: 'alice@ops' });
add(pauseFleetV1, { reason: 'provider incident in us-east-1' });
add(resumeFleetV1, { reason: 'incident closed' });
add(fleetStateV1, { paused: true, by: 'alice@ops', at: TS, reason: 'provider incident in us-east-1' });

addReportAndCloudExamples(add, WL);

/** Ids that have examples; the tests compare it with the registry. */
export function exampleIds(): string[] {
  return [...table.keys()].sort();
}

/** Every example of a message, parsed (defaults applied) and freshly copied. */
export function examplesOf<S extends z.ZodType>(def: MessageDef<S>): z.output<S>[] {
  const raw = table.get(def.id);
  if (!raw) throw new Error(`no example for ${def.id}; add one in schemas/examples.ts`);
  return raw.map((r) => def.data.parse(structuredClone(r)));
}

export function exampleOf<S extends z.ZodType>(def: MessageDef<S>): z.output<S> {
  return examplesOf(def)[0] as z.output<S>;
}

/** The raw (input-shaped) examples, as a producer would send them. */
export function rawExamplesOf(def: MessageDef): unknown[] {
  return structuredClone(table.get(def.id) ?? []);
}

/** A full envelope around an example (or the given data), for codec and bus tests. */
export function exampleEnvelope<S extends z.ZodType>(
  def: MessageDef<S>,
  data: z.output<S> = exampleOf(def),
  header: Partial<EnvelopeHeader> = {}
): Envelope<z.output<S>> {
  return { schema: def.id, id: `ex-${def.id}`, ts: TS, source: 'schemas/examples', ...header, data };
}
