import { describe, expect, it } from 'vitest';
import {
  appTelemetryT1V1,
  appTelemetryT2V1,
  appTelemetryT3V1,
  appTelemetryV1,
  decodeEnvelope,
  exampleEnvelope,
  examplesOf,
  type MessageDef,
} from './index.js';

const t1 = (): Record<string, unknown> => structuredClone(examplesOf(appTelemetryT1V1)[0]) as Record<string, unknown>;
const t2 = (): Record<string, unknown> => structuredClone(examplesOf(appTelemetryT2V1)[0]) as Record<string, unknown>;
const rowOf = (d: Record<string, unknown>): Record<string, unknown> =>
  (d.by_request_type as Record<string, unknown>[])[0]!;
const issues = (def: MessageDef, data: unknown): Array<{ path: string; rule: string; message: string }> => {
  const r = decodeEnvelope(JSON.stringify({ ...exampleEnvelope(def), data }));
  return r.ok ? [] : r.error.issues;
};

describe('schemas privacy-tiered app telemetry', () => {
  it('refuses content in a tier-1 message at any depth, naming the key', () => {
    const top = t1();
    top.prompt = 'my secret prompt';
    expect(issues(appTelemetryT1V1, top)).toEqual([
      expect.objectContaining({
        path: 'data',
        rule: 'unrecognized_keys',
        message: expect.stringContaining('"prompt"'),
      }),
    ]);
    const nested = t1();
    rowOf(nested).samples = [{ prompt: 'x' }];
    expect(issues(appTelemetryT1V1, nested)).toEqual([
      expect.objectContaining({
        path: 'data.by_request_type[0]',
        rule: 'unrecognized_keys',
        message: expect.stringContaining('"samples"'),
      }),
    ]);
    const deep = t1();
    (rowOf(deep).latency_ms as Record<string, unknown>).completion = 'x';
    expect(issues(appTelemetryT1V1, deep)[0]).toMatchObject({
      path: 'data.by_request_type[0].latency_ms',
      rule: 'unrecognized_keys',
    });
  });

  it('keeps tier-2 aggregates out of tier 1 and content out of tier 2', () => {
    const agg = t1();
    rowOf(agg).rag = { requests: 1, docs_per_request_mean: 3, relevance_score_mean: 0.5, chunk_tokens_mean: 100 };
    expect(issues(appTelemetryT1V1, agg)[0]).toMatchObject({
      rule: 'unrecognized_keys',
      message: expect.stringContaining('"rag"'),
    });
    const content = t2();
    content.samples = [{ prompt: 'x' }];
    expect(issues(appTelemetryT2V1, content)[0]).toMatchObject({
      path: 'data',
      message: expect.stringContaining('"samples"'),
    });
  });

  it('ties each message id to its tier and refuses free text where names go', () => {
    const wrongTier = t1();
    wrongTier.privacy_tier = 2;
    expect(issues(appTelemetryT1V1, wrongTier)[0]).toMatchObject({ path: 'data.privacy_tier' });
    const sentence = t1();
    rowOf(sentence).model = 'please summarise my contract';
    expect(issues(appTelemetryT1V1, sentence)[0]).toMatchObject({
      path: 'data.by_request_type[0].model',
      rule: 'invalid_format',
    });
    const errorText = t1();
    rowOf(errorText).errors = { 'user said hi': 1 };
    expect(issues(appTelemetryT1V1, errorText)[0]?.path).toMatch(/^data\.by_request_type\[0\]\.errors/);
  });

  it('checks counts: failures and scored requests within requests, ordered token stats', () => {
    const d = t1();
    rowOf(d).errors = { timeout: 5000 };
    rowOf(d).quality_scored = 5000;
    (rowOf(d).input_tokens as Record<string, number>).p95 = 100_000;
    expect(
      issues(appTelemetryT1V1, d)
        .map((i) => i.path)
        .sort()
    ).toEqual([
      'data.by_request_type[0].errors',
      'data.by_request_type[0].input_tokens',
      'data.by_request_type[0].quality_scored',
    ]);
  });

  it('accepts each tier’s example, tier-3 content included, and still serves oi.tel.app.v1', () => {
    for (const def of [appTelemetryT1V1, appTelemetryT2V1, appTelemetryT3V1, appTelemetryV1] as MessageDef[]) {
      for (const data of examplesOf(def)) expect(issues(def, data)).toEqual([]);
      expect(def.sensitive).toBe(true);
    }
  });
});
