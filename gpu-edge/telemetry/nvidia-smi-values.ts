import { TelemetryParseError } from '../errors.js';

/**
 * Value rules shared by the CSV and XML readers of nvidia-smi. Anything nvidia-smi prints in
 * brackets (`[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`) or a
 * bare `N/A` is "no reading": null, never 0, so a MIG slice or a container never looks idle.
 */

export function isNoReading(raw: string): boolean {
  const v = raw.trim();
  return v === '' || v === 'N/A' || (v.startsWith('[') && v.endsWith(']'));
}

// with `--format=csv` (units) or in XML every number may carry its unit
const NUMBER = /^([+-]?\d+(?:\.\d+)?)(?:\s*(?:MiB|KiB|GiB|%|W|MHz|C))?$/;

export interface ValueContext {
  format: string;
  line: number;
  field: string;
}

export function numberOrNull(raw: string, ctx: ValueContext): number | null {
  if (isNoReading(raw)) return null;
  const m = NUMBER.exec(raw.trim());
  if (!m) throw new TelemetryParseError(ctx.format, ctx.line, ctx.field, 'number', `"${raw.trim()}" is not a number`);
  return Number(m[1]);
}

export function integerOrNull(raw: string, ctx: ValueContext): number | null {
  const n = numberOrNull(raw, ctx);
  if (n !== null && !Number.isInteger(n)) {
    throw new TelemetryParseError(ctx.format, ctx.line, ctx.field, 'integer', `"${raw.trim()}" is not an integer`);
  }
  return n;
}

export function required<T>(value: T | null, ctx: ValueContext): T {
  if (value === null) throw new TelemetryParseError(ctx.format, ctx.line, ctx.field, 'required', 'no reading');
  return value;
}

export function stringOrNull(raw: string): string | null {
  return isNoReading(raw) ? null : raw.trim();
}

export type MigMode = 'enabled' | 'disabled' | 'unsupported';

export function migMode(raw: string, ctx: ValueContext): MigMode {
  if (isNoReading(raw)) return 'unsupported';
  const v = raw.trim().toLowerCase();
  if (v === 'enabled' || v === 'disabled') return v;
  throw new TelemetryParseError(ctx.format, ctx.line, ctx.field, 'enum', `"${raw.trim()}" is not Enabled or Disabled`);
}

export function pstateOrNull(raw: string, ctx: ValueContext): string | null {
  if (isNoReading(raw) || raw.trim() === 'Unknown') return null;
  const v = raw.trim();
  if (!/^P([0-9]|1[0-5])$/.test(v)) {
    throw new TelemetryParseError(ctx.format, ctx.line, ctx.field, 'pstate', `"${v}" is not P0..P15`);
  }
  return v;
}
