import type { JsonObject, JsonValue } from './json-schema.js';

/**
 * The freeze guard (STYLE.md, Schemas 2): a published schema may only gain optional properties.
 * Anything else (a removed or newly required property, a changed type, enum, bound, pattern or
 * default) needs a new version in a sibling file.
 */

// wording only: changing these never changes what validates
const IGNORED = new Set(['description', 'title', '$comment', 'examples']);
// keywords whose value is one schema
const SUBSCHEMA = new Set(['items', 'additionalProperties', 'propertyNames', 'not', 'contains', 'if', 'then', 'else']);
// keywords whose value is a list of schemas, compared position by position
const SUBSCHEMA_LIST = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pointer(path: readonly string[]): string {
  return path.length === 0 ? '/' : `/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function show(v: JsonValue | undefined): string {
  return v === undefined ? 'absent' : JSON.stringify(v);
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every breaking difference between a frozen schema and the current one, as `<pointer>: <what>`. */
export function breakingChanges(frozen: JsonValue, current: JsonValue, path: string[] = []): string[] {
  if (!isObject(frozen) || !isObject(current)) {
    return sameJson(frozen, current) ? [] : [`${pointer(path)}: changed from ${show(frozen)} to ${show(current)}`];
  }
  const out: string[] = [];
  const keys = new Set([...Object.keys(frozen), ...Object.keys(current)]);
  for (const key of [...keys].sort()) {
    if (IGNORED.has(key)) continue;
    const a = frozen[key];
    const b = current[key];
    const at = [...path, key];
    if (key === 'properties') out.push(...compareProperties(a, b, at));
    else if (key === 'required') out.push(...compareRequired(a, b, at));
    else if (SUBSCHEMA.has(key) && isObject(a) && isObject(b)) out.push(...breakingChanges(a, b, at));
    else if (SUBSCHEMA_LIST.has(key) && Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((item, i) => out.push(...breakingChanges(item, b[i] as JsonValue, [...at, String(i)])));
    } else if (!sameJson(a, b)) out.push(`${pointer(at)}: changed from ${show(a)} to ${show(b)}`);
  }
  return out;
}

// added properties pass here; compareRequired refuses them if they are required
function compareProperties(a: JsonValue | undefined, b: JsonValue | undefined, at: string[]): string[] {
  const before = isObject(a) ? a : {};
  const after = isObject(b) ? b : {};
  const out: string[] = [];
  for (const name of Object.keys(before).sort()) {
    const next = after[name];
    if (next === undefined) out.push(`${pointer([...at, name])}: property removed`);
    else out.push(...breakingChanges(before[name] as JsonValue, next, [...at, name]));
  }
  return out;
}

function compareRequired(a: JsonValue | undefined, b: JsonValue | undefined, at: string[]): string[] {
  const before = new Set((Array.isArray(a) ? a : []).map(String));
  const after = new Set((Array.isArray(b) ? b : []).map(String));
  const out: string[] = [];
  for (const name of [...before].sort())
    if (!after.has(name)) out.push(`${pointer(at)}: ${name} is no longer required`);
  for (const name of [...after].sort()) if (!before.has(name)) out.push(`${pointer(at)}: ${name} became required`);
  return out;
}
