import fc from 'fast-check';
import type { Envelope, JsonValue } from '../../schemas/index.js';

/** How a valid envelope is broken. */
export const MUTATION_KINDS = ['wrong_type', 'missing_field', 'unknown_schema', 'byte_flip', 'bad_envelope'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number] | 'oversize';

export interface Mutation {
  base: number;
  kind: (typeof MUTATION_KINDS)[number];
  pick: number;
  value: JsonValue;
  flips: [number, number][];
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  base: fc.nat(),
  kind: fc.constantFrom(...MUTATION_KINDS),
  pick: fc.nat(),
  value: fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 })
  ),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
});

type Path = (string | number)[];

/** Every path inside `v` (containers and leaves), depth first. */
function pathsOf(v: JsonValue, at: Path = [], out: Path[] = []): Path[] {
  const entries: [string | number, JsonValue][] = Array.isArray(v)
    ? v.map((x, i): [number, JsonValue] => [i, x])
    : v !== null && typeof v === 'object'
      ? Object.entries(v)
      : [];
  for (const [k, x] of entries) {
    out.push([...at, k]);
    pathsOf(x, [...at, k], out);
  }
  return out;
}

function kindOf(v: JsonValue | undefined): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function parentOf(root: JsonValue, path: Path): { parent: Record<string | number, JsonValue>; key: string | number } {
  let cur = root as Record<string | number, JsonValue>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, JsonValue>;
  return { parent: cur, key: path.at(-1)! };
}

const encoder = new TextEncoder();

/** Applies one mutation to a copy of `env`; returns the bytes to send. */
export function applyMutation(env: Envelope, m: Mutation): Uint8Array {
  const copy = structuredClone(env) as unknown as Record<string, JsonValue>;
  switch (m.kind) {
    case 'wrong_type': {
      const paths = pathsOf(copy.data!).map((p) => ['data', ...p]);
      const path = paths.length ? paths[m.pick % paths.length]! : ['data'];
      const { parent, key } = parentOf(copy, path);
      // a value of another JSON type than the one there
      parent[key] = kindOf(m.value) === kindOf(parent[key]) ? [m.value] : m.value;
      break;
    }
    case 'missing_field': {
      const keyed = pathsOf(copy).filter((p) => typeof p.at(-1) === 'string');
      const path = keyed[m.pick % keyed.length]!;
      const { parent, key } = parentOf(copy, path);
      delete parent[key];
      break;
    }
    case 'unknown_schema': {
      const id = typeof copy.schema === 'string' ? copy.schema : '';
      copy.schema =
        m.pick % 2 === 0
          ? id.replace(/\.v(\d+)$/, (_, n: string) => `.v${Number(n) + 7}`)
          : `oi.fuzz.unknown${m.pick % 97}.v1`;
      break;
    }
    case 'bad_envelope': {
      const field = (['id', 'ts', 'source', 'schema'] as const)[m.pick % 4]!;
      copy[field] = field === 'ts' ? 'yesterday' : field === 'id' ? '' : m.value;
      break;
    }
    case 'byte_flip': {
      const bytes = encoder.encode(JSON.stringify(copy));
      for (const [pos, xor] of m.flips) bytes[pos % bytes.length]! ^= xor;
      return bytes;
    }
  }
  return encoder.encode(JSON.stringify(copy));
}

/** An envelope made larger than `limitBytes` by padding a string field (or `source`). */
export function oversize(env: Envelope, limitBytes: number): Uint8Array {
  const pad = 'x'.repeat(limitBytes + 1024);
  return encoder.encode(JSON.stringify({ ...env, source: `${env.source}${pad}` }));
}
