import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAzureTrace } from './azure-trace-reader.js';
import { readMooncakeTrace } from './mooncake-trace-reader.js';
import { collectTrace } from './sim-request.js';
import { TraceFormatError } from './trace-format-error.js';

const TRACES = '/work/shared/data/traces';
const AZURE_CODE = `${TRACES}/azure-llm-2023/AzureLLMInferenceTrace_code.csv`;
const AZURE_CONV = `${TRACES}/azure-llm-2023/AzureLLMInferenceTrace_conv.csv`;
const MOONCAKE = `${TRACES}/mooncake-fast25/synthetic_trace.jsonl`;

const tmp = mkdtempSync(join(tmpdir(), 'oi-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tmpFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

async function failure(p: Promise<unknown>): Promise<TraceFormatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(TraceFormatError);
  return err as TraceFormatError;
}

/** The same facts computed naively from the whole file (millisecond precision is enough here). */
function azureFacts(path: string): { rows: number; durationSec: number; promptSum: number; outputMax: number } {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
  const ms = (l: string): number => Date.parse(`${l.slice(0, 10)}T${l.slice(11, 23)}Z`);
  const cols = lines.map((l) => l.split(','));
  return {
    rows: lines.length,
    durationSec: (ms(lines[lines.length - 1]!) - ms(lines[0]!)) / 1000,
    promptSum: cols.reduce((s, c) => s + Number(c[1]), 0),
    outputMax: cols.reduce((m, c) => Math.max(m, Number(c[2])), 0),
  };
}

describe('sim/trace readAzureTrace', () => {
  for (const path of [AZURE_CODE, AZURE_CONV]) {
    it(`streams every row of ${path.split('/').pop()!}`, async () => {
      const facts = azureFacts(path);
      const trace = await collectTrace(readAzureTrace(path, { taskClass: 'azure' }));
      expect(trace.length).toBe(facts.rows);
      expect(trace[0]!.arrivalSec).toBe(0);
      expect(trace[trace.length - 1]!.arrivalSec).toBeCloseTo(facts.durationSec, 2);
      expect(trace.reduce((s, r) => s + r.promptTokens, 0)).toBe(facts.promptSum);
      expect(Math.max(...trace.map((r) => r.outputTokens))).toBe(facts.outputMax);
      expect(new Set(trace.map((r) => r.id)).size).toBe(trace.length);
      expect(trace.every((r, i) => i === 0 || r.arrivalSec >= trace[i - 1]!.arrivalSec)).toBe(true);
      expect(trace[0]!.taskClass).toBe('azure');
    });
  }

  it('keeps sub-millisecond timestamps', async () => {
    const path = tmpFile(
      'fine.csv',
      'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,1,2\n2023-11-16 18:17:03.9799612,3,4\n'
    );
    const [a, b] = await collectTrace(readAzureTrace(path));
    expect(b!.arrivalSec - a!.arrivalSec).toBeCloseTo(0.0000012, 10);
  });

  it('names file, line and field of a bad row', async () => {
    const header = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
    const ok = '2023-11-16 18:17:03.9799600,4808,10\n';
    let err = await failure(
      collectTrace(readAzureTrace(tmpFile('a.csv', `${header}${ok}2023-11-16 18:17:04.0,abc,8\n`)))
    );
    expect(err).toMatchObject({ line: 3, field: 'ContextTokens', file: join(tmp, 'a.csv') });
    expect(err.message).toContain('a.csv:3: ContextTokens');
    err = await failure(collectTrace(readAzureTrace(tmpFile('b.csv', `${header}${ok}16/11/2023 18:17,1,1\n`))));
    expect(err).toMatchObject({ line: 3, field: 'TIMESTAMP' });
    err = await failure(collectTrace(readAzureTrace(tmpFile('c.csv', `${header}${ok}2023-11-16 18:17:02.0,1,1\n`))));
    expect(err).toMatchObject({ line: 3, field: 'TIMESTAMP' });
    expect(err.rule).toMatch(/time order/);
    err = await failure(collectTrace(readAzureTrace(tmpFile('d.csv', `TIMESTAMP,ContextTokens\n${ok}`))));
    expect(err).toMatchObject({ line: 1, field: 'header' });
    expect(err.rule).toContain('GeneratedTokens');
    err = await failure(collectTrace(readAzureTrace(tmpFile('e.csv', `${header}${ok}2023-11-16 18:17:05.0,12\n`))));
    expect(err).toMatchObject({ line: 3, field: 'GeneratedTokens' });
  });

  it('says which file it cannot read', async () => {
    await expect(collectTrace(readAzureTrace(join(tmp, 'missing.csv')))).rejects.toThrow(/missing\.csv/);
  });
});

describe('sim/trace readMooncakeTrace', () => {
  it('streams every line of the Mooncake FAST25 trace with its prefix hashes', async () => {
    const rows = readFileSync(MOONCAKE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(
        (l) => JSON.parse(l) as { timestamp: number; input_length: number; output_length: number; hash_ids: number[] }
      );
    const trace = await collectTrace(readMooncakeTrace(MOONCAKE));
    expect(trace.length).toBe(rows.length);
    expect(trace[trace.length - 1]!.arrivalSec).toBe(rows[rows.length - 1]!.timestamp / 1000);
    expect(trace.reduce((s, r) => s + r.promptTokens, 0)).toBe(rows.reduce((s, r) => s + r.input_length, 0));
    expect(trace.reduce((s, r) => s + r.outputTokens, 0)).toBe(rows.reduce((s, r) => s + r.output_length, 0));
    expect(trace.reduce((s, r) => s + r.prefixHashes!.length, 0)).toBe(rows.reduce((s, r) => s + r.hash_ids.length, 0));
    expect(trace[17]!.prefixHashes).toEqual(rows[17]!.hash_ids);
  });

  it('names file, line and field of a bad line', async () => {
    const ok = '{"timestamp": 0, "input_length": 10, "output_length": 2, "hash_ids": [0]}\n';
    let err = await failure(collectTrace(readMooncakeTrace(tmpFile('a.jsonl', `${ok}{"timestamp": 5,\n`))));
    expect(err).toMatchObject({ line: 2, field: '(line)' });
    err = await failure(
      collectTrace(
        readMooncakeTrace(tmpFile('b.jsonl', `${ok}\n{"timestamp": 5, "input_length": 3, "output_length": -1}\n`))
      )
    );
    expect(err).toMatchObject({ line: 3, field: 'output_length' });
    expect(err.message).toContain('b.jsonl:3: output_length');
    err = await failure(
      collectTrace(
        readMooncakeTrace(
          tmpFile('c.jsonl', `${ok}{"timestamp": 5, "input_length": 3, "output_length": 1, "hash_ids": [1, "x"]}\n`)
        )
      )
    );
    expect(err).toMatchObject({ line: 2, field: 'hash_ids[1]' });
    err = await failure(
      collectTrace(readMooncakeTrace(tmpFile('d.jsonl', `{"input_length": 3, "output_length": 1}\n`)))
    );
    expect(err).toMatchObject({ line: 1, field: 'timestamp' });
  });
});
