import { describe, expect, it } from 'vitest';
import {
  ROUTES,
  actionSpec,
  allMessages,
  appTelemetryV1,
  decodeEnvelope,
  dlqEntryV1,
  engineTelemetryV1,
  exampleEnvelope,
  exampleIds,
  exampleOf,
  examplesOf,
  gpuTelemetryV1,
  proposalV1,
  rawExamplesOf,
  resourceOf,
  type MessageDef,
} from './index.js';

function issuesOf(def: MessageDef, data: unknown): { path: string; rule: string }[] {
  const result = decodeEnvelope(JSON.stringify(exampleEnvelope(def, data)), [def]);
  if (result.ok) return [];
  return result.error.issues.map(({ path, rule }) => ({ path, rule }));
}

describe('schemas examples', () => {
  it('cover every registered message, and nothing else', () => {
    expect(exampleIds()).toEqual(allMessages().map((d) => d.id));
  });

  it('give every registered message a route', () => {
    expect(
      allMessages()
        .filter((d) => !ROUTES[d.id])
        .map((d) => d.id)
    ).toEqual([]);
    expect(Object.keys(ROUTES).sort()).toEqual(allMessages().map((d) => d.id));
  });

  describe.each(allMessages().map((def) => [def.id, def] as const))('%s', (_id, def) => {
    it('round-trips through the wire and back unchanged', () => {
      for (const raw of rawExamplesOf(def)) {
        const wire = JSON.stringify(exampleEnvelope(def, raw));
        const first = decodeEnvelope(wire, [def]);
        if (!first.ok) throw new Error(first.error.reason);
        const second = decodeEnvelope(JSON.stringify(first.envelope), [def]);
        if (!second.ok) throw new Error(second.error.reason);
        expect(second.envelope).toEqual(first.envelope);
        expect(first.envelope.data).toEqual(def.data.parse(raw));
      }
    });
  });
});

describe('schemas domain rules', () => {
  it('refuses application content below privacy tier 3 and patterns below tier 2', () => {
    const tier3 = examplesOf(appTelemetryV1)[1]!;
    expect(issuesOf(appTelemetryV1, { ...tier3, privacy_tier: 2 })).toEqual([{ path: 'data.samples', rule: 'custom' }]);
    expect(issuesOf(appTelemetryV1, { ...tier3, privacy_tier: 1 })).toEqual([
      { path: 'data.prompt_patterns', rule: 'custom' },
      { path: 'data.samples', rule: 'custom' },
    ]);
    const tier1 = exampleOf(appTelemetryV1);
    expect(issuesOf(appTelemetryV1, { ...tier1, requests_failed: tier1.requests_total + 1 })).toEqual([
      { path: 'data.requests_failed', rule: 'custom' },
    ]);
  });

  it('keeps nvidia-smi [N/A] readings as null, never as a string or 0', () => {
    const mig = examplesOf(gpuTelemetryV1)[1]!;
    expect(mig.gpus[0]!.util_pct).toBeNull();
    const data = structuredClone(mig);
    (data.gpus[0] as Record<string, unknown>).util_pct = '[N/A]';
    expect(issuesOf(gpuTelemetryV1, data)).toEqual([{ path: 'data.gpus[0].util_pct', rule: 'invalid_type' }]);
  });

  it('asks a failed scrape for its error and an up engine for its numbers', () => {
    const down = examplesOf(engineTelemetryV1)[1]!;
    const { scrape_error: _e, ...noError } = down as Record<string, unknown>;
    expect(issuesOf(engineTelemetryV1, noError)).toEqual([{ path: 'data.scrape_error', rule: 'invalid_type' }]);
    expect(issuesOf(engineTelemetryV1, { ...down, up: true })).toContainEqual({
      path: 'data.requests_running',
      rule: 'invalid_type',
    });
    const up = exampleOf(engineTelemetryV1);
    expect(issuesOf(engineTelemetryV1, { ...up, kv_cache_usage: 97 })).toEqual([
      { path: 'data.kv_cache_usage', rule: 'too_big' },
    ]);
    expect(issuesOf(engineTelemetryV1, { ...up, ttft_ms: { p50: 300, p95: 100, p99: 400 } })).toEqual([
      { path: 'data.ttft_ms', rule: 'custom' },
    ]);
  });

  it('ties a proposal and its rollback to the resource the action changes', () => {
    const p = exampleOf(proposalV1);
    expect(resourceOf(p.action)).toBe(p.resource);
    expect(issuesOf(proposalV1, { ...p, resource: 'replicas' })).toContainEqual({
      path: 'data.resource',
      rule: 'custom',
    });
    const badRollback = {
      ...p,
      rollback_plan: { ...p.rollback_plan, action: { kind: 'scale_replicas', from: 2, to: 1 } },
    };
    expect(issuesOf(proposalV1, badRollback)).toEqual([{ path: 'data.rollback_plan.action.kind', rule: 'custom' }]);
    expect(issuesOf(proposalV1, { ...p, action: { kind: 'delete_cluster' } })).toEqual([
      { path: 'data.action.kind', rule: 'invalid_union' },
    ]);
    expect(issuesOf(proposalV1, { ...p, confidence: 1.2 })).toEqual([{ path: 'data.confidence', rule: 'too_big' }]);
  });

  it('refuses an engine reconfiguration that changes nothing or names a flag with dashes', () => {
    expect(actionSpec.safeParse({ kind: 'reconfigure_engine', changes: {} }).success).toBe(false);
    expect(actionSpec.safeParse({ kind: 'reconfigure_engine', changes: { '--max-num-seqs': 256 } }).success).toBe(
      false
    );
    expect(actionSpec.safeParse({ kind: 'reconfigure_engine', changes: { 'max-num-seqs': 256 } }).success).toBe(true);
  });

  it('keeps either the raw payload or its digest in a DLQ entry, never both or neither', () => {
    const [raw, digest] = rawExamplesOf(dlqEntryV1) as Record<string, unknown>[];
    const union = [{ path: 'data', rule: 'invalid_union' }];
    expect(issuesOf(dlqEntryV1, { ...raw, payload_sha256: digest!.payload_sha256, payload_size: 106 })).toEqual(union);
    const { payload_b64: _b, ...neither } = raw!;
    expect(issuesOf(dlqEntryV1, neither)).toEqual(union);
    expect(issuesOf(dlqEntryV1, { ...raw, payload_b64: 'not base64!' })).toEqual([
      { path: 'data.payload_b64', rule: 'invalid_format' },
    ]);
    expect(issuesOf(dlqEntryV1, { ...digest, payload_sha256: 'ABC' })).toEqual([
      { path: 'data.payload_sha256', rule: 'invalid_format' },
    ]);
  });
});
