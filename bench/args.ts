/** `--name value` or `--name=value` flags and the bench names among the arguments. */
export interface BenchArgs {
  names: string[];
  flags: Map<string, string>;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const names: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      names.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`flag ${a} needs a value`);
      flags.set(a.slice(2), next);
      i++;
    }
  }
  return { names, flags };
}

/** An integer flag in [min, max]; a bad value names the flag and the rule. */
export function intFlag(args: BenchArgs, name: string, fallback: number, min = 1, max = 1_000_000): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name}: expected an integer in ${min}..${max}, got '${raw}'`);
  }
  return n;
}

/** A comma-separated list of integers, e.g. `--hosts 1,2,4`. */
export function intListFlag(args: BenchArgs, name: string, fallback: number[], min = 1, max = 64): number[] {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < min || n > max)) {
    throw new Error(`--${name}: expected comma-separated integers in ${min}..${max}, got '${raw}'`);
  }
  return list;
}

/** One of `choices`. */
export function choiceFlag<T extends string>(args: BenchArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new Error(`--${name}: expected one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}
