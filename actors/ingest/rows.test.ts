import { describe, expect, it } from 'vitest';
import {
  appTelemetryV1,
  appTelemetryT1V1,
  appTelemetryT3V1,
  costTelemetryV1,
  decisionV1,
  dlqEntryV1,
  engineTelemetryV1,
  examplesOf,
  exampleEnvelope,
  exampleOf,
  fenceV1,
  gpuTelemetryV1,
  noticeV1,
  proposalV1,
} from '../../schemas/index.js';
import { toRow } from './rows.js';

const origin = { seq: 42, consumer: 'oi-ingest-tel-p3', subject: 'oi.v1.tel.3.gpu.chat-llama-8b.gpu-node-01' };

function rowOf(placement: ReturnType<typeof toRow>): Record<string, unknown> {
  if ('skip' in placement) throw new Error(`skipped: ${placement.skip}`);
  return placement.row;
}

describe('ingest toRow', () => {
  it('keeps one row per GPU sample with the GPUs as parallel arrays and [N/A] readings as null', () => {
    const [h100, mig] = examplesOf(gpuTelemetryV1);
    const p = toRow(exampleEnvelope(gpuTelemetryV1, h100), origin, 'OI_TEL');
    expect(p).toMatchObject({ table: 'tel_gpu' });
    expect(rowOf(p)).toMatchObject({
      ts: '2026-11-24T14:40:50Z',
      seq: 42,
      consumer: 'oi-ingest-tel-p3',
      workload: 'chat-llama-8b',
      node: 'gpu-node-01',
      gpu_util_pct: [100],
      gpu_power_w: [697.58],
      gpu_memory_used_mib: [39159],
    });
    expect(rowOf(toRow(exampleEnvelope(gpuTelemetryV1, mig), origin, 'OI_TEL'))).toMatchObject({
      gpu_util_pct: [null],
      gpu_ecc_uncorrected: [null],
      gpu_mig_mode: ['enabled'],
      driver_version: '',
    });
  });

  it('flattens engine quantiles and keeps a failed scrape as an up=0 sample', () => {
    const [up, down] = examplesOf(engineTelemetryV1);
    expect(rowOf(toRow(exampleEnvelope(engineTelemetryV1, up), origin, 'OI_TEL'))).toMatchObject({
      up: 1,
      kv_cache_usage: 0.27,
      ttft_p95_ms: 118,
      e2e_p99_ms: 9800,
      request_success_total: { stop: 1, length: 131, abort: 0 },
    });
    expect(rowOf(toRow(exampleEnvelope(engineTelemetryV1, down), origin, 'OI_TEL'))).toMatchObject({
      up: 0,
      ttft_p95_ms: null,
      scrape_error: expect.stringContaining('ECONNREFUSED') as unknown,
    });
  });

  it('never copies tier-3 request content into ClickHouse', () => {
    const tier3 = examplesOf(appTelemetryV1)[1]!;
    expect(tier3.samples).toHaveLength(1);
    const row = rowOf(toRow(exampleEnvelope(appTelemetryV1, tier3), origin, 'OI_TEL'));
    expect(JSON.stringify(row)).not.toContain('Summarise clause');
    expect(row).toMatchObject({ privacy_tier: 3, prompt_patterns: { few_shot: 0.6, zero_shot: 0.4 } });
  });

  it('keeps what cost = usd_per_hour × interval_s / 3600 needs', () => {
    const p = toRow(exampleEnvelope(costTelemetryV1), origin, 'OI_TEL');
    expect(p).toMatchObject({ table: 'tel_cost' });
    expect(rowOf(p)).toMatchObject({
      usd_per_hour: 6.88,
      interval_s: 60,
      purchase_option: 'on_demand',
      instance_type: 'p5.4xlarge',
    });
  });

  it('turns proposals and decisions into facts with their money and verdict', () => {
    const cost = examplesOf(proposalV1)[1]!;
    const p = toRow(
      exampleEnvelope(proposalV1, cost),
      { ...origin, subject: 'oi.v1.rec.cost.chat-llama-8b' },
      'OI_REC'
    );
    expect(p).toMatchObject({ table: 'proposals' });
    expect(rowOf(p)).toMatchObject({
      proposal_id: 'prop-cost-chat-llama-8b-0017',
      expected_usd_per_month: -2519.5,
      action_kind: 'change_purchase_option',
      explained_by: '',
    });
    const d = rowOf(toRow(exampleEnvelope(decisionV1), origin, 'OI_DEC'));
    expect(d).toMatchObject({
      verdict: 'approved',
      resource: 'engine_config',
      decided_by: 'supervisor',
      preempted_by: '',
    });
    expect(JSON.parse(d.data as string)).toEqual(exampleOf(decisionV1));
  });

  it('takes an event’s domain, event and workload from its subject, and skips fences', () => {
    const subject = 'oi.v1.evt.supervisor.guardrail_blocked.chat-llama-8b';
    const e = rowOf(toRow(exampleEnvelope(noticeV1), { ...origin, subject }, 'OI_EVT'));
    expect(e).toMatchObject({
      schema: 'oi.evt.notice.v1',
      subject,
      domain: 'supervisor',
      event: 'guardrail_blocked',
      workload: 'chat-llama-8b',
    });
    expect(toRow(exampleEnvelope(fenceV1), origin, 'OI_REC')).toEqual({
      skip: 'oi.rec.fence.v1 is runtime traffic, not a fact',
    });
  });

  it('maps tier telemetry to one row per request type and keeps of tier-3 content only the sample count', () => {
    const t1 = exampleOf(appTelemetryT1V1);
    const two = {
      ...t1,
      by_request_type: [t1.by_request_type[0]!, { ...t1.by_request_type[0]!, request_type: 'code' }],
    };
    const p = toRow(exampleEnvelope(appTelemetryT1V1, two), origin, 'OI_TEL');
    if ('skip' in p) throw new Error(p.skip);
    expect(p.table).toBe('tel_app_tiers');
    expect([p.row, ...(p.more ?? [])].map((r) => [r.request_type, r.requests, r.seq, r.content_samples])).toEqual([
      ['chat', 3900, 42, 0],
      ['code', 3900, 42, 0],
    ]);
    // schemas/examples.ts: errors timeout 9 and context_length 3, no tier-2 aggregates
    expect(p.row).toMatchObject({ errors: { timeout: 9, context_length: 3 }, rag_requests: null, prompt_patterns: {} });
    const t3 = exampleEnvelope(appTelemetryT3V1);
    const r3 = rowOf(toRow(t3, origin, 'OI_TEL'));
    expect(r3).toMatchObject({ privacy_tier: 3, request_type: 'summarization', content_samples: 1 });
    expect(JSON.stringify(r3)).not.toContain('Summarise clause');
  });

  it('keeps a dead letter’s reason and first issue, never its payload bytes', () => {
    const [first] = examplesOf(dlqEntryV1);
    const env = exampleEnvelope(dlqEntryV1, first);
    const r = rowOf(toRow(env, { ...origin, subject: 'oi.v1.dlq.OI_TEL' }, 'OI_DLQ'));
    expect(r).toMatchObject({ stream: first!.stream, reason: first!.reason, issues: first!.issues.length });
    expect(Object.keys(r)).not.toContain('payload_b64');
    const size = first!.payload_size ?? Buffer.from(first!.payload_b64 ?? '', 'base64').byteLength;
    expect(r.payload_size).toBe(size);
  });
});
