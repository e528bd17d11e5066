import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FROZEN_DIR, currentExport } from './export.js';
import { breakingChanges, type JsonObject, type JsonValue } from './index.js';

const published: JsonObject = {
  type: 'object',
  properties: {
    node: { type: 'string', pattern: '^[a-z]+$', description: 'the node' },
    util_pct: { type: ['number', 'null'], minimum: 0, maximum: 100 },
    mode: { type: 'string', enum: ['enabled', 'disabled'] },
    action: {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'a' } }, required: ['kind'] },
        { type: 'object', properties: { kind: { const: 'b' }, n: { type: 'integer' } }, required: ['kind'] },
      ],
    },
  },
  required: ['node', 'util_pct'],
};

function edit(change: (s: JsonObject) => void): JsonObject {
  const copy = structuredClone(published);
  change(copy);
  return copy;
}

const props = (s: JsonObject): Record<string, JsonObject> => s.properties as Record<string, JsonObject>;

describe('schemas freeze guard', () => {
  it('accepts the same schema, new wording and added optional properties', () => {
    expect(breakingChanges(published, published)).toEqual([]);
    expect(
      breakingChanges(
        published,
        edit((s) => (props(s).node!.description = 'host'))
      )
    ).toEqual([]);
    expect(
      breakingChanges(
        published,
        edit((s) => (props(s).extra = { type: 'string' }))
      )
    ).toEqual([]);
    const nested = edit((s) => {
      const branch = (props(s).action!.oneOf as JsonObject[])[1]!;
      (branch.properties as JsonObject).note = { type: 'string' };
    });
    expect(breakingChanges(published, nested)).toEqual([]);
  });

  it.each<[string, (s: JsonObject) => void, string]>([
    ['a removed property', (s) => delete props(s).mode, '/properties/mode: property removed'],
    [
      'an added required property',
      (s) => {
        props(s).owner = { type: 'string' };
        (s.required as string[]).push('owner');
      },
      '/required: owner became required',
    ],
    [
      'an optional property made required',
      (s) => (s.required as string[]).push('mode'),
      '/required: mode became required',
    ],
    ['a required property made optional', (s) => (s.required = ['node']), '/required: util_pct is no longer required'],
    ['a changed type', (s) => (props(s).util_pct!.type = 'number'), '/properties/util_pct/type: changed'],
    ['a tightened bound', (s) => (props(s).util_pct!.maximum = 1), '/properties/util_pct/maximum: changed'],
    ['a loosened bound', (s) => delete props(s).util_pct!.minimum, '/properties/util_pct/minimum: changed'],
    ['a changed pattern', (s) => (props(s).node!.pattern = '^[a-z0-9]+$'), '/properties/node/pattern: changed'],
    ['an added enum value', (s) => (props(s).mode!.enum as string[]).push('x'), '/properties/mode/enum: changed'],
    [
      'an added union branch',
      (s) => (props(s).action!.oneOf as JsonValue[]).push({ type: 'null' }),
      '/properties/action/oneOf: changed',
    ],
    [
      'a change inside a union branch',
      (s) => ((props(s).action!.oneOf as JsonObject[])[1]!.required = ['kind', 'n']),
      '/properties/action/oneOf/1/required: n became required',
    ],
    ['an added default', (s) => (props(s).mode!.default = 'enabled'), '/properties/mode/default: changed'],
  ])('refuses %s', (_name, change, expected) => {
    const found = breakingChanges(published, edit(change));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('keeps a frozen copy of every published message', () => {
    const missing = [...currentExport().keys()].filter((f) => f !== 'index.json' && !existsSync(join(FROZEN_DIR, f)));
    expect(missing, 'publish them with: npx tsx schemas/export.ts --freeze').toEqual([]);
  });

  it('finds no breaking change between a frozen copy and the current export', () => {
    const current = currentExport();
    const report: string[] = [];
    for (const file of readdirSync(FROZEN_DIR).filter((f) => f.endsWith('.json'))) {
      const now = current.get(file);
      if (now === undefined) {
        report.push(`${file}: a published message is no longer registered`);
        continue;
      }
      const frozen = JSON.parse(readFileSync(join(FROZEN_DIR, file), 'utf8')) as JsonValue;
      for (const change of breakingChanges(frozen, JSON.parse(now) as JsonValue)) report.push(`${file} ${change}`);
    }
    expect(report, 'a breaking change needs a new version in a sibling file (STYLE.md Schemas 2)').toEqual([]);
  });
});
