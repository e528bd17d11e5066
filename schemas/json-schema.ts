import { z } from 'zod';
import { ROUTES } from './catalog.js';
import { envelopeHeader } from './envelope.js';
import type { MessageDef } from './registry.js';

/**
 * JSON Schema (draft 2020-12) of whole envelopes, for clients that do not speak zod. `io:
 * 'input'` describes what a sender may put on the wire: fields with defaults are optional.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The envelope of one message type: `schema` fixed to its id, `data` its schema. */
export function envelopeSchemaOf(def: MessageDef): z.ZodType {
  return envelopeHeader.extend({ schema: z.literal(def.id), data: def.data }).strict();
}

export function jsonSchemaOf(def: MessageDef): JsonObject {
  const generated = z.toJSONSchema(envelopeSchemaOf(def), { target: 'draft-2020-12', io: 'input' }) as JsonObject;
  return canonical({ ...generated, $id: def.id, title: def.id, description: def.description }) as JsonObject;
}

/** Keys sorted at every level and `required` sorted, so a regenerated file only differs where the schema did. */
export function canonical(value: JsonValue, key?: string): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return key === 'required' ? [...(items as string[])].sort() : items;
  }
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical(value[k] as JsonValue, k);
    return out;
  }
  return value;
}

export function renderJson(value: JsonValue): string {
  return `${JSON.stringify(canonical(value), null, 2)}\n`;
}

/** File name → content of the whole export, `index.json` included; pure, so tests and --check share it. */
export function renderJsonSchemas(defs: readonly MessageDef[]): Map<string, string> {
  const files = new Map<string, string>();
  const index: JsonObject = {};
  for (const def of defs) {
    const route = ROUTES[def.id];
    if (!route) throw new Error(`${def.id} has no route; add it to ROUTES in schemas/catalog.ts`);
    files.set(`${def.id}.json`, renderJson(jsonSchemaOf(def)));
    index[def.id] = {
      description: def.description,
      file: `${def.id}.json`,
      sensitive: def.sensitive,
      stream: route.stream,
      subject: route.subject,
      version: def.version,
    };
  }
  files.set('index.json', renderJson({ messages: index }));
  return files;
}
