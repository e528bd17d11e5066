import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allMessages } from './index.js';
import { renderJsonSchemas } from './json-schema.js';

/**
 * Writes schemas/json/ from the registry (`npm run gen:schemas`). `--check` regenerates in
 * memory and exits 1 naming stale, missing and extra files (`npm run check:schemas`).
 * `--freeze` copies the export of every message that has no frozen copy yet into
 * schemas/frozen/; existing copies are never overwritten (that is the point of them).
 */

export const JSON_DIR = fileURLToPath(new URL('./json/', import.meta.url));
export const FROZEN_DIR = fileURLToPath(new URL('./frozen/', import.meta.url));

export interface ExportDrift {
  stale: string[];
  missing: string[];
  extra: string[];
}

export function currentExport(): Map<string, string> {
  return renderJsonSchemas(allMessages());
}

function jsonFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
}

/** How the files in `dir` differ from `files`; empty lists mean the export is current. */
export function exportDrift(dir: string, files: Map<string, string>): ExportDrift {
  const drift: ExportDrift = { stale: [], missing: [], extra: [] };
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (!existsSync(path)) drift.missing.push(name);
    else if (readFileSync(path, 'utf8') !== content) drift.stale.push(name);
  }
  drift.extra = jsonFiles(dir).filter((f) => !files.has(f));
  for (const list of [drift.stale, drift.missing, drift.extra]) list.sort();
  return drift;
}

export function writeExport(dir: string, files: Map<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const extra of jsonFiles(dir).filter((f) => !files.has(f))) rmSync(join(dir, extra));
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content);
  }
}

/** Frozen copies written now: messages published for the first time. */
export function freezeNew(dir: string, files: Map<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of files) {
    if (name === 'index.json' || existsSync(join(dir, name))) continue;
    writeFileSync(join(dir, name), content);
    written.push(name);
  }
  return written;
}

function main(args: readonly string[]): number {
  const files = currentExport();
  if (args.includes('--check')) {
    const drift = exportDrift(JSON_DIR, files);
    const lines = [
      ...drift.stale.map((f) => `stale   schemas/json/${f}`),
      ...drift.missing.map((f) => `missing schemas/json/${f}`),
      ...drift.extra.map((f) => `extra   schemas/json/${f}`),
    ];
    if (lines.length === 0) {
      process.stdout.write(`schemas/json is current (${files.size} files)\n`);
      return 0;
    }
    process.stdout.write(`${lines.join('\n')}\nschemas/json is out of date: run npm run gen:schemas\n`);
    return 1;
  }
  writeExport(JSON_DIR, files);
  process.stdout.write(`wrote ${files.size} files to schemas/json\n`);
  if (args.includes('--freeze')) {
    const frozen = freezeNew(FROZEN_DIR, files);
    process.stdout.write(`froze ${frozen.length} new schemas${frozen.length ? `: ${frozen.join(', ')}` : ''}\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
