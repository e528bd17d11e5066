import {
  appTelemetryT1V1,
  appTelemetryT2V1,
  appTelemetryT3V1,
  appTelemetryV1,
  costTelemetryV1,
  decisionV1,
  decisionV2,
  dlqEntryV1,
  engineTelemetryV1,
  fenceV1,
  gpuTelemetryV1,
  probeSeenV1,
  proposalV1,
  resourceOf,
  type AppRequestTypeStats,
  type AppTelemetry,
  type AppTierTelemetry,
  type CostTelemetry,
  type Decision,
  type DlqEntry,
  type EngineTelemetry,
  type Envelope,
  type GpuTelemetry,
  type MessageDef,
  type Proposal,
  type QuantilesMs,
} from '../../schemas/index.js';
import { INGEST_TABLES, type IngestTable } from './ingest-sources.js';

/**
 * Where one stream message goes: a row of a table (`more`: further rows of the same message, e.g.
 * one per request type), or nowhere (acked, counted as skipped).
 */
export type RowPlacement =
  { table: IngestTable; row: Record<string, unknown>; more?: Record<string, unknown>[] } | { skip: string };

/** What every raw row carries so a later owner can tell what is already in ClickHouse. */
export interface RowOrigin {
  seq: number;
  consumer: string;
  subject: string;
}

/** Schemas each stream's ingest consumer accepts; undefined: any registered schema (OI_EVT). */
export const INGEST_ACCEPTS: Record<string, readonly MessageDef[] | undefined> = {
  OI_TEL: [
    gpuTelemetryV1,
    engineTelemetryV1,
    appTelemetryV1,
    costTelemetryV1,
    appTelemetryT1V1,
    appTelemetryT2V1,
    appTelemetryT3V1,
  ],
  OI_REC: [proposalV1, fenceV1, probeSeenV1],
  OI_DEC: [decisionV1, decisionV2],
  OI_EVT: undefined,
  OI_DLQ: [dlqEntryV1],
};

const q = (prefix: string, v: QuantilesMs | null | undefined): Record<string, number | null> => ({
  [`${prefix}_p50_ms`]: v?.p50 ?? null,
  [`${prefix}_p95_ms`]: v?.p95 ?? null,
  [`${prefix}_p99_ms`]: v?.p99 ?? null,
});

function head(env: Envelope, o: RowOrigin): Record<string, unknown> {
  return { ts: env.ts, id: env.id, seq: o.seq, consumer: o.consumer, source: env.source };
}

function gpuRow(d: GpuTelemetry): Record<string, unknown> {
  return {
    workload: d.workload,
    node: d.node,
    driver_version: d.driver_version ?? '',
    gpu_index: d.gpus.map((g) => g.index),
    gpu_uuid: d.gpus.map((g) => g.uuid),
    gpu_name: d.gpus.map((g) => g.name),
    gpu_memory_used_mib: d.gpus.map((g) => g.memory_used_mib),
    gpu_memory_total_mib: d.gpus.map((g) => g.memory_total_mib),
    gpu_util_pct: d.gpus.map((g) => g.util_pct),
    gpu_mem_util_pct: d.gpus.map((g) => g.mem_util_pct),
    gpu_power_w: d.gpus.map((g) => g.power_w),
    gpu_power_limit_w: d.gpus.map((g) => g.power_limit_w),
    gpu_sm_clock_mhz: d.gpus.map((g) => g.sm_clock_mhz),
    gpu_temp_c: d.gpus.map((g) => g.temp_c),
    gpu_ecc_uncorrected: d.gpus.map((g) => g.ecc_uncorrected),
    gpu_mig_mode: d.gpus.map((g) => g.mig_mode),
  };
}

function engineRow(d: EngineTelemetry): Record<string, unknown> {
  const base = { workload: d.workload, node: d.node, engine: d.engine, model: d.model, window_s: d.window_s };
  if (!d.up) {
    // a failed scrape is a sample too: it counts against availability
    return { ...base, up: 0, kv_cache_usage: null, scrape_error: d.scrape_error, ...q('ttft', null) };
  }
  return {
    ...base,
    up: 1,
    requests_running: d.requests_running,
    requests_waiting: d.requests_waiting,
    kv_cache_usage: d.kv_cache_usage,
    kv_capacity_tokens: d.kv_capacity_tokens ?? null,
    prefix_cache_hit_rate: d.prefix_cache_hit_rate ?? null,
    prompt_tokens_per_s: d.prompt_tokens_per_s,
    generation_tokens_per_s: d.generation_tokens_per_s,
    preemptions_total: d.preemptions_total,
    request_success_total: d.request_success_total,
    ...q('ttft', d.ttft_ms),
    ...q('itl', d.itl_ms),
    ...q('e2e', d.e2e_ms),
    scrape_error: '',
  };
}

function appRow(d: AppTelemetry): Record<string, unknown> {
  // request content (tier-3 samples) is never copied into ClickHouse
  return {
    workload: d.workload,
    node: d.node,
    model: d.model,
    privacy_tier: d.privacy_tier,
    window_s: d.window_s,
    requests_total: d.requests_total,
    requests_failed: d.requests_failed,
    tokens_in: d.tokens_in,
    tokens_out: d.tokens_out,
    ...q('latency', d.latency_ms),
    input_tokens_p95: d.input_tokens_p95 ?? null,
    long_input_short_output: d.long_input_short_output ?? 0,
    quality_score: d.quality_score ?? null,
    prompt_patterns: d.prompt_patterns ?? {},
  };
}

/**
 * One row per request type. Only named fields are copied, so nothing a later tier adds can slip
 * in; of tier-3 content only the number of samples (the samples go to the content vault).
 */
function appTierRows(d: AppTierTelemetry): Record<string, unknown>[] {
  const contentSamples = d.privacy_tier === 3 ? (d.samples?.length ?? 0) : 0;
  return d.by_request_type.map((r) => {
    // tier-2 aggregates, absent in tier 1
    const agg = r as Partial<AppRequestTypeStats>;
    return {
      workload: d.workload,
      node: d.node,
      privacy_tier: d.privacy_tier,
      window_s: d.window_s,
      request_type: r.request_type,
      model: r.model,
      requests: r.requests,
      errors: r.errors,
      input_tokens_mean: r.input_tokens.mean,
      input_tokens_sd: r.input_tokens.sd,
      input_tokens_p50: r.input_tokens.p50,
      input_tokens_p95: r.input_tokens.p95,
      input_tokens_max: r.input_tokens.max,
      output_tokens_mean: r.output_tokens.mean,
      output_tokens_sd: r.output_tokens.sd,
      output_tokens_p50: r.output_tokens.p50,
      output_tokens_p95: r.output_tokens.p95,
      output_tokens_max: r.output_tokens.max,
      ...q('latency', r.latency_ms),
      long_input_short_output: r.long_input_short_output ?? null,
      quality_score: r.quality_score ?? null,
      quality_scored: r.quality_scored ?? null,
      prompt_patterns: agg.prompt_patterns ?? {},
      rag_requests: agg.rag?.requests ?? null,
      rag_docs_per_request_mean: agg.rag?.docs_per_request_mean ?? null,
      rag_relevance_score_mean: agg.rag?.relevance_score_mean ?? null,
      rag_chunk_tokens_mean: agg.rag?.chunk_tokens_mean ?? null,
      prefix_repeated_share: agg.prefix_reuse?.repeated_share ?? null,
      prefix_repeated_tokens_mean: agg.prefix_reuse?.repeated_tokens_mean ?? null,
      content_samples: contentSamples,
    };
  });
}

function costRow(d: CostTelemetry): Record<string, unknown> {
  return {
    workload: d.workload,
    node: d.node,
    instance_id: d.instance_id,
    instance_type: d.instance_type,
    provider: d.provider ?? '',
    region: d.region,
    zone: d.zone ?? '',
    gpu_type: d.gpu_type,
    gpu_count: d.gpu_count,
    purchase_option: d.purchase_option,
    usd_per_hour: d.usd_per_hour,
    interval_s: d.interval_s,
  };
}

function proposalRow(d: Proposal): Record<string, unknown> {
  return {
    proposal_id: d.proposal_id,
    agent: d.agent,
    workload: d.workload,
    resource: d.resource,
    action_kind: d.action.kind,
    expected_usd_per_month: d.expected_impact.usd_per_month,
    expected_slo_attainment_delta: d.expected_impact.slo_attainment_delta ?? null,
    expected_gpu_memory_gib_delta: d.expected_impact.gpu_memory_gib_delta ?? null,
    confidence: d.confidence,
    risk: d.risk,
    priority_class: d.priority_class,
    epoch: d.epoch,
    expires_at: d.expires_at,
    explained_by: d.explained_by ?? '',
    data: JSON.stringify(d),
  };
}

function decisionRow(d: Decision): Record<string, unknown> {
  return {
    decision_id: d.decision_id,
    proposal_id: d.proposal_id,
    workload: d.workload,
    verdict: d.verdict,
    reason: d.reason,
    action_kind: d.action.kind,
    resource: d.lock?.resource ?? resourceOf(d.action),
    epoch: d.epoch,
    decided_by: d.decided_by,
    mode: d.mode,
    preempted_by: d.preempted_by ?? '',
    data: JSON.stringify(d),
  };
}

/** The record without the failed payload: a sensitive one's hash and size stay, raw bytes never come here. */
function dlqRow(d: DlqEntry): Record<string, unknown> {
  const first = d.issues[0];
  return {
    stream: d.stream,
    subject: d.subject,
    schema: d.schema ?? '',
    original_id: d.original_id ?? '',
    reason: d.reason,
    issues: d.issues.length,
    first_issue_path: first?.path ?? '',
    first_issue_rule: first?.rule ?? '',
    deliveries: d.deliveries ?? 0,
    sensitive: d.payload_sha256 !== undefined ? 1 : 0,
    payload_sha256: d.payload_sha256 ?? '',
    payload_size: d.payload_size ?? Buffer.from(d.payload_b64 ?? '', 'base64').byteLength,
    received_at: d.received_at,
  };
}

/** `oi.v1.evt.<domain>.<event>.<workload>` → its three tokens ('' when the subject is not one). */
function eventTokens(subject: string): { domain: string; event: string; workload: string } {
  const t = subject.split('.');
  if (t.length !== 6 || t[0] !== 'oi' || t[2] !== 'evt') return { domain: '', event: '', workload: '' };
  return { domain: t[3]!, event: t[4]!, workload: t[5]! };
}

/** Maps a validated envelope to its row; pure, so the whole mapping is unit-tested. */
export function toRow(env: Envelope, origin: RowOrigin, stream: string): RowPlacement {
  const h = head(env, origin);
  const data = env.data as never;
  if (stream === 'OI_EVT') {
    return {
      table: INGEST_TABLES.events,
      row: {
        ...h,
        schema: env.schema,
        subject: origin.subject,
        ...eventTokens(origin.subject),
        data: JSON.stringify(env.data),
      },
    };
  }
  switch (env.schema) {
    case gpuTelemetryV1.id:
      return { table: INGEST_TABLES.gpu, row: { ...h, ...gpuRow(data) } };
    case engineTelemetryV1.id:
      return { table: INGEST_TABLES.engine, row: { ...h, ...engineRow(data) } };
    case appTelemetryV1.id:
      return { table: INGEST_TABLES.app, row: { ...h, ...appRow(data) } };
    case costTelemetryV1.id:
      return { table: INGEST_TABLES.cost, row: { ...h, ...costRow(data) } };
    case appTelemetryT1V1.id:
    case appTelemetryT2V1.id:
    case appTelemetryT3V1.id: {
      const [first, ...more] = appTierRows(data).map((r) => ({ ...h, ...r }));
      return { table: INGEST_TABLES.appTiers, row: first!, ...(more.length > 0 ? { more } : {}) };
    }
    case proposalV1.id:
      return { table: INGEST_TABLES.proposals, row: { ...h, ...proposalRow(data) } };
    case decisionV1.id:
    case decisionV2.id:
      return { table: INGEST_TABLES.decisions, row: { ...h, ...decisionRow(data) } };
    case dlqEntryV1.id:
      return { table: INGEST_TABLES.dlq, row: { ...h, ...dlqRow(data) } };
    case fenceV1.id:
    case probeSeenV1.id:
      return { skip: `${env.schema} is runtime traffic, not a fact` };
    default:
      return { skip: `no table for ${env.schema} on ${stream}` };
  }
}
