import type { ClickHouse } from '../../stores/index.js';

/**
 * A small fleet whose every dashboard answer is worked out by hand in panels.int.test.ts:
 * 2 workloads × 2 nodes × 3 minutes of telemetry (one sample per node per minute, 60 s
 * windows, at :30 of each minute), workload SLOs as registration events, proposals,
 * decisions, action outcomes, supervisor and edge notices, and ingest lag samples.
 * Times are relative to T0, the start of the hour two hours ago (inside every TTL).
 */
export const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
export const MINUTE = 60_000;
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

export const NODES = [
  {
    workload: 'wa',
    node: 'a1',
    gpus: 2,
    option: 'on_demand',
    type: 'h100x2',
    usdPerHour: 6,
    genPerS: 100,
    model: 'llama-8b',
  },
  {
    workload: 'wa',
    node: 'a2',
    gpus: 1,
    option: 'spot',
    type: 'h100x1',
    usdPerHour: 3,
    genPerS: 50,
    model: 'llama-8b-fp8',
  },
  {
    workload: 'wb',
    node: 'b1',
    gpus: 4,
    option: 'on_demand',
    type: 'h100x4',
    usdPerHour: 12,
    genPerS: 200,
    model: 'qwen-32b',
  },
  {
    workload: 'wb',
    node: 'b2',
    gpus: 1,
    option: 'spot',
    type: 'h100x1',
    usdPerHour: 2.4,
    genPerS: 100,
    model: 'qwen-32b',
  },
] as const;

type NodeName = (typeof NODES)[number]['node'];
/** Per node, minute 0..2; b2's engine is down in minute 2 (a failed scrape: `null`). */
const TTFT_P95: Record<NodeName, (number | null)[]> = {
  a1: [100, 150, 250],
  a2: [120, 180, 190],
  b1: [300, 600, 550],
  b2: [350, 450, null],
};
const ITL_P95: Record<NodeName, number> = { a1: 20, a2: 30, b1: 40, b2: 50 };
const WAITING: Record<NodeName, number[]> = { a1: [1, 2, 3], a2: [0, 0, 0], b1: [5, 5, 5], b2: [2, 2, 0] };
const RUNNING: Record<NodeName, number> = { a1: 8, a2: 4, b1: 16, b2: 6 };
const KV: Record<NodeName, number[]> = {
  a1: [0.5, 0.625, 0.75],
  a2: [0.25, 0.25, 0.25],
  b1: [0.875, 0.9375, 0.75],
  b2: [0.375, 0.5, 0],
};
const PREEMPTIONS: Record<NodeName, number[]> = { a1: [10, 12, 15], a2: [0, 0, 0], b1: [0, 0, 1], b2: [0, 0, 0] };
/** Per GPU of the node: utilization %, power W, memory used MiB. */
const GPU: Record<NodeName, { util: number; powerW: number; usedMib: number }> = {
  a1: { util: 50, powerW: 300, usedMib: 40_960 },
  a2: { util: 40, powerW: 200, usedMib: 20_480 },
  b1: { util: 90, powerW: 400, usedMib: 61_440 },
  b2: { util: 10, powerW: 100, usedMib: 10_240 },
};
const APP: Record<NodeName, { requests: number; failed: number; tokensIn: number; quality: number[] }> = {
  a1: { requests: 100, failed: 3, tokensIn: 1000, quality: [0.75, 0.875, 1] },
  a2: { requests: 50, failed: 0, tokensIn: 500, quality: [0.75, 0.75, 0.75] },
  b1: { requests: 200, failed: 5, tokensIn: 2000, quality: [0.5, 0.625, 0.75] },
  b2: { requests: 100, failed: 2, tokensIn: 1000, quality: [0.5, 0.5, 0.5] },
};

let nextId = 0;
const origin = (): { id: string; seq: number; consumer: string; source: string } => ({
  id: `seed-${++nextId}`,
  seq: nextId,
  consumer: 'seed',
  source: 'seed',
});

function telemetry(): Record<string, Record<string, unknown>[]> {
  const gpu: Record<string, unknown>[] = [];
  const engine: Record<string, unknown>[] = [];
  const app: Record<string, unknown>[] = [];
  const cost: Record<string, unknown>[] = [];
  for (const n of NODES) {
    const k = n.node;
    for (let m = 0; m < 3; m++) {
      const ts = at(m * MINUTE + 30_000);
      const head = { ts, ...origin(), workload: n.workload, node: k };
      const g = GPU[k];
      const idx = Array.from({ length: n.gpus }, (_, i) => i);
      gpu.push({
        ...head,
        gpu_index: idx,
        gpu_uuid: idx.map((i) => `GPU-${k}-${i}`),
        gpu_name: idx.map(() => 'NVIDIA H100 80GB HBM3'),
        gpu_memory_used_mib: idx.map(() => g.usedMib),
        gpu_memory_total_mib: idx.map(() => 81_920),
        gpu_util_pct: idx.map(() => g.util),
        gpu_mem_util_pct: idx.map(() => null),
        gpu_power_w: idx.map(() => g.powerW),
        gpu_power_limit_w: idx.map(() => 700),
        gpu_sm_clock_mhz: idx.map(() => 1980),
        gpu_temp_c: idx.map(() => 60),
        gpu_ecc_uncorrected: idx.map(() => 0),
        gpu_mig_mode: idx.map(() => 'disabled'),
      });
      const ttft = TTFT_P95[k][m]!;
      const base = { ...head, engine: 'vllm', model: n.model, window_s: 60 };
      engine.push(
        ttft === null
          ? { ...base, up: 0, scrape_error: 'connection refused' }
          : {
              ...base,
              up: 1,
              requests_running: RUNNING[k],
              requests_waiting: WAITING[k][m],
              kv_cache_usage: KV[k][m],
              prompt_tokens_per_s: 2 * n.genPerS,
              generation_tokens_per_s: n.genPerS,
              preemptions_total: PREEMPTIONS[k][m],
              ttft_p50_ms: ttft / 2,
              ttft_p95_ms: ttft,
              ttft_p99_ms: ttft * 2,
              itl_p50_ms: ITL_P95[k] / 2,
              itl_p95_ms: ITL_P95[k],
              itl_p99_ms: ITL_P95[k] * 2,
              e2e_p50_ms: ttft * 5,
              e2e_p95_ms: ttft * 10,
              e2e_p99_ms: ttft * 20,
              scrape_error: '',
            }
      );
      const a = APP[k];
      app.push({
        ...head,
        model: n.model,
        privacy_tier: 1,
        window_s: 60,
        requests_total: a.requests,
        requests_failed: a.failed,
        tokens_in: a.tokensIn,
        tokens_out: a.tokensIn / 2,
        quality_score: a.quality[m],
      });
      cost.push({
        ...head,
        instance_id: `i-${k}`,
        instance_type: n.type,
        provider: 'aws',
        region: 'us-east-1',
        gpu_type: 'H100',
        gpu_count: n.gpus,
        purchase_option: n.option,
        usd_per_hour: n.usdPerHour,
        interval_s: 60,
      });
    }
  }
  // the quality baseline: one sample per workload an hour before T0
  app.push(
    {
      ts: at(-3_600_000 + 30_000),
      ...origin(),
      workload: 'wa',
      node: 'a1',
      model: 'llama-8b',
      window_s: 60,
      requests_total: 10,
      quality_score: 0.9375,
    },
    {
      ts: at(-3_600_000 + 30_000),
      ...origin(),
      workload: 'wb',
      node: 'b1',
      model: 'qwen-32b',
      window_s: 60,
      requests_total: 10,
      quality_score: 0.625,
    }
  );
  return { tel_gpu: gpu, tel_engine: engine, tel_app: app, tel_cost: cost };
}

function event(
  ms: number,
  schema: string,
  domain: string,
  name: string,
  workload: string,
  data: object
): Record<string, unknown> {
  return {
    ts: at(ms),
    ...origin(),
    schema,
    subject: `oi.v1.evt.${domain}.${name}.${workload}`,
    workload,
    domain,
    event: name,
    data: JSON.stringify(data),
  };
}

const notice = (
  ms: number,
  domain: string,
  name: string,
  workload: string,
  message: string,
  attrs: object
): Record<string, unknown> =>
  event(ms, 'oi.evt.notice.v1', domain, name, workload, {
    domain,
    event: name,
    workload,
    severity: 'warning',
    message,
    attrs,
  });

const registered = (ms: number, workload: string, slo: object, updated = false): Record<string, unknown> =>
  event(
    ms,
    `oi.evt.workload.${updated ? 'updated' : 'registered'}.v1`,
    'workload',
    updated ? 'updated' : 'registered',
    workload,
    {
      workload,
      slo,
    }
  );

const result = (ms: number, workload: string, status: string, before: number, after: number): Record<string, unknown> =>
  event(ms, 'oi.act.result.v1', 'act', 'result', workload, {
    action_id: `act-${ms}`,
    decision_id: `dec-${ms}`,
    node: 'a1',
    status,
    detail: status,
    metrics_before: { usd_per_hour: before },
    metrics_after: { usd_per_hour: after },
  });

export const GUARDRAIL_MESSAGE = 'max_cost_increase_pct: spot share above 50%';
export const PREEMPT_REASON = 'performance outranks cost on the replicas lock';

function events(): Record<string, unknown>[] {
  return [
    registered(-2 * 3_600_000, 'wa', { ttft_p95_ms: 200, tpot_mean_ms: 25, e2e_p95_ms: 2000, attainment: 0.99 }),
    registered(-2 * 3_600_000, 'wb', { ttft_p95_ms: 400, e2e_p95_ms: 6000, attainment: 0.99 }),
    // the later update wins: wb's TTFT SLO is 500 ms in the range
    registered(30_000, 'wb', { ttft_p95_ms: 500, e2e_p95_ms: 6000, attainment: 0.99 }, true),
    result(-3_600_000, 'wb', 'succeeded', 16, 14.4),
    result(90_000, 'wa', 'succeeded', 9, 6),
    result(140_000, 'wb', 'rolled_back', 14.4, 12),
    notice(70_000, 'priority', 'approval', 'wa', 'approved by alice', { proposal_id: 'p1' }),
    notice(100_000, 'priority', 'guardrail_stop', 'wb', GUARDRAIL_MESSAGE, { proposal_id: 'p4' }),
    notice(126_000, 'priority', 'preempt', 'wb', 'p4 pre-empted by p2', { proposal_id: 'p4' }),
    notice(150_000, 'edge', 'engine_died', 'wb', 'vllm exited 137', { node: 'b2' }),
    notice(170_000, 'edge', 'engine_restarted', 'wb', 'vllm restarted', { node: 'b2' }),
  ];
}

function proposal(
  ms: number,
  id: string,
  agent: string,
  workload: string,
  kind: string,
  usdPerMonth: number
): Record<string, unknown> {
  return {
    ts: at(ms),
    ...origin(),
    proposal_id: id,
    agent,
    workload,
    resource: 'engine_config',
    action_kind: kind,
    expected_usd_per_month: usdPerMonth,
    confidence: 0.8,
    risk: 'low',
    priority_class: agent,
    epoch: 1,
    expires_at: at(ms + 3_600_000),
    data: '{}',
  };
}

function decision(
  ms: number,
  proposalId: string,
  workload: string,
  verdict: string,
  kind: string,
  extra: object = {}
): Record<string, unknown> {
  const action = kind === 'enable_kv_offload' ? { kind, cpu_gib: 64 } : { kind };
  return {
    ts: at(ms),
    ...origin(),
    decision_id: `d-${proposalId}-${ms}`,
    proposal_id: proposalId,
    workload,
    verdict,
    reason: `${verdict} by rule`,
    action_kind: kind,
    resource: 'engine_config',
    epoch: 1,
    decided_by: 'supervisor',
    mode: 'auto',
    preempted_by: '',
    data: JSON.stringify({ proposal_id: proposalId, action }),
    ...extra,
  };
}

function facts(): { proposals: Record<string, unknown>[]; decisions: Record<string, unknown>[] } {
  return {
    proposals: [
      proposal(5_000, 'p1', 'cost', 'wa', 'change_purchase_option', -500),
      proposal(15_000, 'p2', 'performance', 'wb', 'scale_replicas', 300),
      proposal(65_000, 'p3', 'resource', 'wa', 'enable_kv_offload', 50),
      proposal(125_000, 'p4', 'cost', 'wb', 'change_purchase_option', -200),
      proposal(130_000, 'p5', 'application', 'wa', 'set_context_limit', 0),
      proposal(170_000, 'p6', 'application', 'wb', 'set_context_limit', 0),
    ],
    decisions: [
      decision(10_000, 'p1', 'wa', 'pending_approval', 'change_purchase_option'),
      decision(20_000, 'p2', 'wb', 'pending_approval', 'scale_replicas'),
      decision(70_000, 'p1', 'wa', 'approved', 'change_purchase_option', { decided_by: 'alice' }),
      decision(80_000, 'p3', 'wa', 'approved', 'enable_kv_offload'),
      decision(126_000, 'p4', 'wb', 'preempted', 'change_purchase_option', {
        preempted_by: 'p2',
        reason: PREEMPT_REASON,
      }),
      decision(131_000, 'p5', 'wa', 'rejected', 'set_context_limit'),
    ],
  };
}

function lag(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const tel = {
    ingester: ['ing-1', 'ing-1', 'ing-2'],
    epoch: [3, 3, 4],
    pending: [10, 400, 20],
    age: [100, 2500, 300],
  };
  for (let m = 0; m < 3; m++) {
    const ts = at(m * MINUTE + 30_000);
    rows.push(
      {
        ts,
        ingester: tel.ingester[m],
        consumer: 'oi-ingest-tel-p0',
        stream: 'OI_TEL',
        epoch: tel.epoch[m],
        pending: tel.pending[m],
        ack_pending: 5,
        oldest_unacked_age_ms: tel.age[m],
        rows_inserted: 100 * m,
      },
      {
        ts,
        ingester: 'ing-1',
        consumer: 'oi-ingest-evt',
        stream: 'OI_EVT',
        epoch: 7,
        pending: m === 2 ? 3 : 0,
        ack_pending: 0,
        oldest_unacked_age_ms: m === 2 ? 50 : 0,
        rows_inserted: 0,
      }
    );
  }
  return rows;
}

export const DLQ_REASON = 'invalid oi.tel.app.t1.v1: data: Unrecognized key: "samples"';

/** Dead letters: two from OI_TEL (one sensitive, minutes 0 and 2) and one from OI_REC (minute 1). */
function deadLetters(): Record<string, unknown>[] {
  const base = { consumer: 'oi-ingest-dlq', source: 'oi-ingest', original_id: '', issues: 1, deliveries: 1 };
  return [
    {
      ...base,
      ts: at(10_000),
      id: 'dlq-1',
      seq: 1,
      stream: 'OI_TEL',
      subject: 'oi.v1.tel.0.app.wa.gw-1',
      schema: 'oi.tel.app.t1.v1',
      reason: DLQ_REASON,
      first_issue_path: 'data',
      first_issue_rule: 'unrecognized_keys',
      sensitive: 1,
      payload_sha256: 'a'.repeat(64),
      payload_size: 812,
      received_at: at(10_000),
    },
    {
      ...base,
      ts: at(MINUTE + 5_000),
      id: 'dlq-2',
      seq: 2,
      stream: 'OI_REC',
      subject: 'oi.v1.rec.cost.wb',
      schema: 'oi.rec.proposal.v1',
      reason: 'invalid oi.rec.proposal.v1: data.confidence: Too big',
      first_issue_path: 'data.confidence',
      first_issue_rule: 'too_big',
      sensitive: 0,
      payload_sha256: '',
      payload_size: 1_400,
      received_at: at(MINUTE + 5_000),
    },
    {
      ...base,
      ts: at(2 * MINUTE + 20_000),
      id: 'dlq-3',
      seq: 3,
      stream: 'OI_TEL',
      subject: 'oi.v1.tel.1.gpu.wb.b1',
      schema: '',
      reason: 'not JSON',
      first_issue_path: '(root)',
      first_issue_rule: 'json',
      sensitive: 0,
      payload_sha256: '',
      payload_size: 9,
      received_at: at(2 * MINUTE + 20_000),
    },
  ];
}

/**
 * Actor placement, sampled at 0:40 of each minute. Host h1 alone at first; h2 joins in minute 1
 * and takes partition 1 (epoch 5 → 6); h1 dies in minute 2: partition 0 is free for that sample
 * and then taken by h2 at 0:50 (epoch 1 → 2).
 */
function placement(): { hosts: Record<string, unknown>[]; partitions: Record<string, unknown>[] } {
  const s = (m: number, sec = 40): string => at(m * MINUTE + sec * 1000);
  const host = (m: number, h: string, held: number, processed: number, restarts = 0): Record<string, unknown> => ({
    ts: s(m),
    sampler: 'ing-1',
    host: h,
    assigned: held,
    held,
    heartbeat_age_ms: 200,
    actors: 2 * held,
    processed,
    restarts,
  });
  const part = (ts: string, p: number, holder: string, epoch: number, live = 1): Record<string, unknown> => ({
    ts,
    sampler: 'ing-1',
    partition: p,
    holder,
    epoch,
    live,
    assigned_to: holder,
  });
  return {
    hosts: [host(0, 'h1', 2, 100), host(1, 'h1', 1, 180), host(1, 'h2', 1, 10), host(2, 'h2', 2, 90, 1)],
    partitions: [
      part(s(0), 0, 'h1', 1),
      part(s(0), 1, 'h1', 5),
      part(s(1), 0, 'h1', 1),
      part(s(1), 1, 'h2', 6),
      part(s(2), 0, 'h1', 1, 0),
      part(s(2), 1, 'h2', 6),
      part(s(2, 50), 0, 'h2', 2),
      part(s(2, 50), 1, 'h2', 6),
    ],
  };
}

/** Inserts the data set; raw telemetry through its tables, so the rollups fill as in production. */
export async function seed(ch: ClickHouse): Promise<void> {
  for (const [table, rows] of Object.entries(telemetry())) await ch.insert(table, rows);
  await ch.insert('events', events());
  const f = facts();
  await ch.insert('proposals', f.proposals);
  await ch.insert('decisions', f.decisions);
  await ch.insert('ingest_lag', lag());
  await ch.insert('dlq_entries', deadLetters());
  const pl = placement();
  await ch.insert('actor_hosts', pl.hosts);
  await ch.insert('actor_placement', pl.partitions);
}
