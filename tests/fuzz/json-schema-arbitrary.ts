import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../schemas/index.js';

/**
 * fast-check arbitraries from the exported JSON Schema of a message (schemas/json/), covering
 * the keywords that export uses: type, const, enum, anyOf/oneOf, not (never), bounds, lengths,
 * pattern, date-time and base64 formats, properties/required/default, records
 * (additionalProperties + propertyNames) and arrays. Refinements JSON Schema cannot say are
 * left to the caller, which keeps only values the zod schema accepts.
 */
export function arbitraryOf(schema: JsonValue | undefined, depth = 0): fc.Arbitrary<JsonValue> {
  if (
    schema === undefined ||
    schema === true ||
    schema === null ||
    typeof schema !== 'object' ||
    Array.isArray(schema)
  ) {
    return fc.constant('x');
  }
  const s = schema;
  if ('const' in s) return fc.constant(s.const!);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const branches = (s.anyOf ?? s.oneOf) as JsonValue[] | undefined;
  if (Array.isArray(branches)) {
    const usable = branches.filter((b) => !isNever(b));
    return fc.oneof(...usable.map((b) => arbitraryOf(b, depth + 1)));
  }
  const type = s.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => arbitraryOf({ ...s, type: t }, depth)));
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return integerOf(s);
    case 'number':
      return numberOf(s);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryOf(s.items, depth + 1), {
        minLength: num(s.minItems) ?? 0,
        maxLength: Math.min(num(s.maxItems) ?? 3, (num(s.minItems) ?? 0) + 3),
      });
    case 'object':
      return objectOf(s, depth);
    default:
      return fc.constant('x');
  }
}

function num(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function isNever(s: JsonValue): boolean {
  return typeof s === 'object' && s !== null && !Array.isArray(s) && 'not' in s;
}

function stringOf(s: JsonObject): fc.Arbitrary<string> {
  const min = num(s.minLength) ?? 0;
  const max = Math.min(num(s.maxLength) ?? 24, min + 24);
  if (s.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (s.format === 'base64') return fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString('base64'));
  if (typeof s.pattern === 'string') {
    return fc
      .stringMatching(new RegExp(s.pattern))
      .filter((x) => x.length >= min && x.length <= (num(s.maxLength) ?? Infinity));
  }
  // mostly ASCII, some other planes: what operators and engines actually send
  const unit = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 -_./:"\\\n{}') },
    { weight: 1, arbitrary: fc.constantFrom('é', 'ß', '中', '🙂', '\u0000', '\u2028') }
  );
  return fc
    .array(unit, { minLength: min, maxLength: max })
    .map((a) => a.join(''))
    .filter((x) => x.length >= min && x.length <= (num(s.maxLength) ?? Infinity));
}

function integerOf(s: JsonObject): fc.Arbitrary<number> {
  const lo = Math.max(num(s.minimum) ?? -(2 ** 31), (num(s.exclusiveMinimum) ?? -Infinity) + 1, -(2 ** 31));
  const hi = Math.min(num(s.maximum) ?? 2 ** 31 - 1, (num(s.exclusiveMaximum) ?? Infinity) - 1, 2 ** 31 - 1);
  return fc.integer({ min: Math.ceil(lo), max: Math.max(Math.ceil(lo), Math.floor(hi)) });
}

function numberOf(s: JsonObject): fc.Arbitrary<number> {
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  const min = exMin ?? num(s.minimum) ?? -1e9;
  const max = exMax ?? num(s.maximum) ?? 1e9;
  return fc
    .double({ min, max, minExcluded: exMin !== undefined, maxExcluded: exMax !== undefined, noNaN: true })
    .map((x) => (Object.is(x, -0) ? 0 : x));
}

function objectOf(s: JsonObject, depth: number): fc.Arbitrary<JsonValue> {
  const props = (s.properties ?? {}) as JsonObject;
  const required = new Set((s.required ?? []) as string[]);
  const shape: Record<string, fc.Arbitrary<JsonValue>> = {};
  const requiredKeys: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (isNever(v)) continue;
    shape[k] = arbitraryOf(v, depth + 1);
    // a field with a default comes back filled in: send it, so the round trip compares equal
    const hasDefault = typeof v === 'object' && v !== null && !Array.isArray(v) && 'default' in v;
    if (required.has(k) || hasDefault) requiredKeys.push(k);
  }
  const fixed = fc.record(shape, { requiredKeys }) as fc.Arbitrary<JsonObject>;
  const extra = s.additionalProperties;
  if (extra && typeof extra === 'object' && Object.keys(props).length === 0) {
    const names = s.propertyNames as JsonObject | undefined;
    const key = !names
      ? fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/)
      : Array.isArray(names.enum)
        ? fc.constantFrom(...(names.enum as string[]))
        : stringOf({ type: 'string', ...names });
    const dict = fc.dictionary(key, arbitraryOf(extra, depth + 1), { maxKeys: depth > 3 ? 0 : 3 });
    // an exhaustive record (keys from an enum) lists every key as required
    if (required.size === 0) return dict;
    const must = fc.record(Object.fromEntries([...required].map((k) => [k, arbitraryOf(extra, depth + 1)])));
    return fc.tuple(dict, must).map(([d, m]) => ({ ...d, ...m }));
  }
  return fixed;
}
