/** One line of the closing table: our figure beside the baseline measured in the same run. */
export interface Row {
  bench: string;
  ours: string;
  baseline: string;
  ratio: string;
}

const rows: Row[] = [];
const notes: string[] = [];

export function addRow(row: Row): void {
  rows.push(row);
}

/** A line printed under the table: what a baseline is, or a figure that does not fit a row. */
export function addNote(note: string): void {
  notes.push(note);
}

export function progress(line: string): void {
  process.stdout.write(`${line}\n`);
}

export const perSecond = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`;
export const whole = (n: number): string => Math.round(n).toLocaleString('en-US');
export const ratio = (ours: number, baseline: number): string =>
  baseline > 0 && Number.isFinite(ours) ? (ours / baseline).toFixed(2) : '-';

export function printTable(): void {
  const width = Math.max(36, ...rows.map((r) => r.bench.length));
  const cols = Math.max(12, ...rows.flatMap((r) => [r.ours.length, r.baseline.length]));
  const line = (a: string, b: string, c: string, d: string): string =>
    `${a.padEnd(width)} ${b.padStart(cols)} ${c.padStart(cols)} ${d.padStart(10)}\n`;
  process.stdout.write(`\n${line('bench', 'ours', 'baseline', 'ours/base')}`);
  for (const r of rows) process.stdout.write(line(r.bench, r.ours, r.baseline, r.ratio));
  if (notes.length) process.stdout.write(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}
