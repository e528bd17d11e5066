import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Streams a text file line by line with 1-based line numbers; never holds the whole file. */
export async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { line, text };
    }
  } catch (err) {
    throw new Error(`cannot read trace file ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    lines.close();
    input.destroy();
  }
}
