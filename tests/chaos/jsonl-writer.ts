import { closeSync, openSync, writeSync } from 'node:fs';

/** Appends one JSON line per record with a write(2) each, so a SIGKILL loses at most one line. */
export class JsonlWriter {
  readonly #fd: number;
  lines = 0;

  constructor(path: string) {
    this.#fd = openSync(path, 'a');
  }

  write(record: unknown): void {
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    this.lines++;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** `--name value` pairs of a chaos tool's argv. */
export function toolArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) out.set(a.slice(2), argv[i + 1] ?? '');
  }
  return out;
}

export function required(args: Map<string, string>, name: string): string {
  const v = args.get(name);
  if (!v) throw new Error(`missing --${name}`);
  return v;
}
