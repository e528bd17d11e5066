import { basename } from 'node:path';
import { readLines } from './read-lines.js';
import type { SimRequest } from './sim-request.js';
import { TraceFormatError } from './trace-format-error.js';

export interface TraceReadOptions {
  /** Prefix of request ids; default: the file name without extension. */
  idPrefix?: string;
  taskClass?: string;
}

const COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function parseTokenCount(file: string, line: number, field: string, raw: string): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) throw new TraceFormatError(file, line, field, 'must be an integer >= 0', raw);
  return Number(text);
}

/**
 * Streams an Azure LLM inference trace CSV (2023 and 2024 releases: `TIMESTAMP,ContextTokens,GeneratedTokens`).
 * Arrivals are seconds after the first row's timestamp (read as UTC); rows must be in time order.
 */
export async function* readAzureTrace(file: string, options: TraceReadOptions = {}): AsyncGenerator<SimRequest> {
  const idPrefix = options.idPrefix ?? basename(file).replace(/\.[^.]*$/, '');
  let index: Record<(typeof COLUMNS)[number], number> | undefined;
  let first: { wholeSec: number; frac: number } | undefined;
  let previous = -Infinity;
  let n = 0;
  for await (const { line, text } of readLines(file)) {
    if (text.trim() === '') continue;
    const cells = text.split(',');
    if (!index) {
      const names = cells.map((c) => c.trim().replace(/^\uFEFF/, ''));
      const found = COLUMNS.map((c) => names.indexOf(c));
      const missing = COLUMNS.filter((_, i) => found[i] === -1);
      if (missing.length > 0) {
        throw new TraceFormatError(
          file,
          line,
          'header',
          `must name the columns ${COLUMNS.join(', ')}; missing ${missing.join(', ')}`,
          text
        );
      }
      index = { TIMESTAMP: found[0]!, ContextTokens: found[1]!, GeneratedTokens: found[2]! };
      continue;
    }
    const cell = (c: (typeof COLUMNS)[number]): string => {
      const v = cells[index![c]];
      if (v === undefined) throw new TraceFormatError(file, line, c, 'missing (too few columns)');
      return v;
    };
    const rawTs = cell('TIMESTAMP').trim();
    const m = TIMESTAMP.exec(rawTs);
    if (!m) throw new TraceFormatError(file, line, 'TIMESTAMP', 'must be YYYY-MM-DD hh:mm:ss[.fraction]', rawTs);
    const wholeMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    if (Number.isNaN(wholeMs))
      throw new TraceFormatError(file, line, 'TIMESTAMP', 'must be a valid date and time', rawTs);
    // whole seconds and fraction kept apart: epoch seconds with 7 decimals exceed a double's precision
    const ts = { wholeSec: wholeMs / 1000, frac: m[7] ? Number(`0.${m[7]}`) : 0 };
    first ??= ts;
    const arrivalSec = ts.wholeSec - first.wholeSec + (ts.frac - first.frac);
    if (arrivalSec < previous) {
      throw new TraceFormatError(
        file,
        line,
        'TIMESTAMP',
        'must not be earlier than the previous row (rows in time order)',
        rawTs
      );
    }
    previous = arrivalSec;
    const request: SimRequest = {
      id: `${idPrefix}-${n++}`,
      arrivalSec,
      promptTokens: parseTokenCount(file, line, 'ContextTokens', cell('ContextTokens')),
      outputTokens: parseTokenCount(file, line, 'GeneratedTokens', cell('GeneratedTokens')),
    };
    if (options.taskClass !== undefined) request.taskClass = options.taskClass;
    yield request;
  }
  if (!index) throw new TraceFormatError(file, 1, 'header', 'file is empty; expected a CSV header');
}
