import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  SchemaError,
  appTelemetryV1,
  checkData,
  decodeEnvelope,
  defineMessage,
  engineTelemetryV1,
  exampleEnvelope,
  exampleOf,
  gpuTelemetryV1,
  lookupMessage,
  type DecodeFailure,
} from './index.js';

function failure(raw: string | Uint8Array, expect?: Parameters<typeof decodeEnvelope>[1]): DecodeFailure {
  const result = decodeEnvelope(raw, expect);
  if (result.ok) throw new Error('expected the decode to fail');
  return result.error;
}

describe('schemas registry', () => {
  it('refuses a second registration of the same id', () => {
    defineMessage({ id: 'oi.test.dup.v1', description: 'first', data: z.object({}) });
    expect(() => defineMessage({ id: 'oi.test.dup.v1', description: 'second', data: z.object({}) })).toThrow(
      /registered twice/
    );
    expect(lookupMessage('oi.test.dup.v1')?.description).toBe('first');
  });

  it.each(['oi.tel.v1', 'tel.gpu.v1', 'oi.Tel.gpu.v1', 'oi.tel.gpu', 'oi.tel.gpu.v0', 'oi.tel gpu.v1', 'oi..gpu.v1'])(
    'refuses the malformed id %s',
    (id) => {
      expect(() => defineMessage({ id, description: 'bad', data: z.object({}) })).toThrow(/must look like/);
    }
  );

  it('reads the version from the id', () => {
    expect(defineMessage({ id: 'oi.test.versioned.v12', description: 'v', data: z.object({}) }).version).toBe(12);
  });
});

describe('schemas decodeEnvelope', () => {
  const gpu = exampleEnvelope(gpuTelemetryV1);

  it('decodes a valid envelope from bytes and applies the data schema', () => {
    const result = decodeEnvelope(new TextEncoder().encode(JSON.stringify(gpu)), [gpuTelemetryV1]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.def).toBe(gpuTelemetryV1);
      expect(result.envelope).toEqual(gpu);
    }
  });

  it('reports a payload that is not JSON', () => {
    const err = failure('{"schema": "oi.tel.gpu.v1",');
    expect(err.kind).toBe('not_json');
    expect(err.issues).toEqual([expect.objectContaining({ path: '(root)', rule: 'json' })]);
  });

  it('names envelope fields that are missing, malformed or unexpected', () => {
    const { id: _id, ...noId } = gpu;
    expect(failure(JSON.stringify(noId)).issues).toContainEqual(
      expect.objectContaining({ path: 'id', rule: 'invalid_type' })
    );
    const err = failure(JSON.stringify({ ...gpu, ts: '2026-11-24 14:40', extra: 1 }));
    expect(err.kind).toBe('bad_envelope');
    expect(err.issues).toContainEqual(expect.objectContaining({ path: 'ts', rule: 'invalid_format' }));
    expect(err.issues).toContainEqual(expect.objectContaining({ rule: 'unrecognized_keys' }));
    expect(err).toMatchObject({ schema: 'oi.tel.gpu.v1' });
  });

  it('reports an unknown schema id or version', () => {
    const err = failure(JSON.stringify({ ...gpu, schema: 'oi.tel.gpu.v9' }));
    expect(err).toMatchObject({ kind: 'unknown_schema', schema: 'oi.tel.gpu.v9' });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'schema', rule: 'known_schema' })]);
  });

  it('reports a known schema sent where it is not accepted', () => {
    const err = failure(JSON.stringify(gpu), [engineTelemetryV1]);
    expect(err).toMatchObject({ kind: 'wrong_schema', schema: 'oi.tel.gpu.v1' });
    expect(err.reason).toContain('oi.tel.engine.v1');
  });

  it('names the data field and the rule it broke', () => {
    const data = exampleOf(gpuTelemetryV1);
    data.gpus[0]!.util_pct = 101;
    const err = failure(JSON.stringify(exampleEnvelope(gpuTelemetryV1, data)));
    expect(err).toMatchObject({ kind: 'invalid_data', schema: 'oi.tel.gpu.v1', sensitive: false });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'data.gpus[0].util_pct', rule: 'too_big' })]);
    expect(err.reason).toContain('data.gpus[0].util_pct');
  });

  it('marks failures of sensitive messages so the DLQ keeps no raw bytes', () => {
    const data = { ...exampleOf(appTelemetryV1), privacy_tier: 1, samples: [{ prompt: 'secret' }] };
    const err = failure(JSON.stringify(exampleEnvelope(appTelemetryV1, data)));
    expect(err).toMatchObject({ kind: 'invalid_data', sensitive: true });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'data.samples', rule: 'custom' })]);
  });
});

describe('schemas checkData', () => {
  it('returns parsed data with defaults and throws SchemaError naming field and rule', () => {
    expect(checkData(gpuTelemetryV1, exampleOf(gpuTelemetryV1)).node).toBe('gpu-node-01');
    const bad = { ...exampleOf(gpuTelemetryV1), gpus: [] };
    const thrown = (() => {
      try {
        checkData(gpuTelemetryV1, bad);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(SchemaError);
    expect((thrown as SchemaError).issues).toEqual([expect.objectContaining({ path: 'data.gpus', rule: 'too_small' })]);
  });
});
