import { describe, expect, it } from 'vitest';
import { JSON_DIR, currentExport, exportDrift } from './export.js';
import { allMessages, gpuTelemetryV1, jsonSchemaOf, renderJsonSchemas, type JsonObject } from './index.js';

describe('schemas JSON Schema export', () => {
  it('is current on disk (what npm run check:schemas checks)', () => {
    expect(exportDrift(JSON_DIR, currentExport()), 'run npm run gen:schemas').toEqual({
      stale: [],
      missing: [],
      extra: [],
    });
  });

  it('renders the same bytes every time, in sorted key order with a trailing newline', () => {
    const a = renderJsonSchemas(allMessages());
    const b = renderJsonSchemas([...allMessages()].reverse());
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    for (const content of a.values()) {
      expect(content.endsWith('}\n')).toBe(true);
      const keys = Object.keys(JSON.parse(content) as object);
      expect(keys).toEqual([...keys].sort());
    }
  });

  it('describes the whole envelope with the schema id fixed', () => {
    const schema = jsonSchemaOf(gpuTelemetryV1);
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'oi.tel.gpu.v1',
      title: 'oi.tel.gpu.v1',
      description: gpuTelemetryV1.description,
      additionalProperties: false,
      required: ['data', 'id', 'schema', 'source', 'ts'],
    });
    const props = schema.properties as Record<string, JsonObject>;
    expect(props.schema).toMatchObject({ const: 'oi.tel.gpu.v1' });
    const gpu = ((props.data!.properties as JsonObject).gpus as JsonObject).items as JsonObject;
    expect((gpu.properties as Record<string, JsonObject>).util_pct).toMatchObject({
      anyOf: [{ type: 'number', minimum: 0, maximum: 100 }, { type: 'null' }],
    });
  });

  it('indexes every message with its subject', () => {
    const index = JSON.parse(currentExport().get('index.json')!) as { messages: Record<string, JsonObject> };
    expect(Object.keys(index.messages)).toEqual(allMessages().map((d) => d.id));
    expect(index.messages['oi.tel.app.v1']).toMatchObject({
      subject: 'oi.v1.tel.app.<workload>.<node>',
      stream: 'OI_TEL',
      sensitive: true,
      file: 'oi.tel.app.v1.json',
    });
  });
});
