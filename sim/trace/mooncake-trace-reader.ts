import { basename } from 'node:path';
import type { TraceReadOptions } from './azure-trace-reader.js';
import { readLines } from './read-lines.js';
import type { SimRequest } from './sim-request.js';
import { TraceFormatError } from './trace-format-error.js';

function nonNegativeInt(file: string, line: number, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new TraceFormatError(file, line, field, 'must be an integer >= 0', JSON.stringify(v) ?? 'undefined');
  }
  return v;
}

/**
 * Streams a Mooncake trace JSONL (`{timestamp (ms), input_length, output_length, hash_ids}` per line).
 * Arrivals are the file's relative timestamps in seconds; lines must be in time order.
 */
export async function* readMooncakeTrace(file: string, options: TraceReadOptions = {}): AsyncGenerator<SimRequest> {
  const idPrefix = options.idPrefix ?? basename(file).replace(/\.[^.]*$/, '');
  let previous = -Infinity;
  let n = 0;
  for await (const { line, text } of readLines(file)) {
    if (text.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw new TraceFormatError(file, line, '(line)', 'must be one JSON object', text);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new TraceFormatError(file, line, '(line)', 'must be one JSON object', text);
    }
    const o = row as Record<string, unknown>;
    const timestampMs = o.timestamp;
    if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs) || timestampMs < 0) {
      throw new TraceFormatError(
        file,
        line,
        'timestamp',
        'must be a number of milliseconds >= 0',
        JSON.stringify(timestampMs) ?? 'undefined'
      );
    }
    const arrivalSec = timestampMs / 1000;
    if (arrivalSec < previous) {
      throw new TraceFormatError(
        file,
        line,
        'timestamp',
        'must not be earlier than the previous line (lines in time order)',
        String(timestampMs)
      );
    }
    previous = arrivalSec;
    const request: SimRequest = {
      id: `${idPrefix}-${n++}`,
      arrivalSec,
      promptTokens: nonNegativeInt(file, line, 'input_length', o.input_length),
      outputTokens: nonNegativeInt(file, line, 'output_length', o.output_length),
    };
    if (o.hash_ids !== undefined) {
      if (!Array.isArray(o.hash_ids)) {
        throw new TraceFormatError(
          file,
          line,
          'hash_ids',
          'must be an array of integers >= 0',
          JSON.stringify(o.hash_ids)
        );
      }
      request.prefixHashes = o.hash_ids.map((h, i) => nonNegativeInt(file, line, `hash_ids[${i}]`, h));
    }
    if (options.taskClass !== undefined) request.taskClass = options.taskClass;
    yield request;
  }
}
