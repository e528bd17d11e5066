import type { FaultKind } from './faults.js';

/** One fault kind's line in the chaos table. */
export interface FaultRow {
  kind: FaultKind;
  injected: number;
  /** Messages (telemetry, actions, proposals) acknowledged before each fault and checked after it, summed. */
  checked: number;
  violations: number;
  recoveryMs: number[];
  /** Faults after which the probe did not come through in time. */
  unrecovered: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');

/** The run's table as Markdown: one row per fault kind and a total. */
export function formatTable(rows: FaultRow[], final: { checked: number; violations: number }): string {
  const head = ['fault', 'injected', 'messages checked', 'violations', 'recovery median s', 'recovery max s'];
  const body = rows.map((r) => [
    r.kind,
    String(r.injected),
    String(r.checked),
    String(r.violations),
    seconds(median(r.recoveryMs)),
    r.unrecovered ? `not within limit ×${r.unrecovered}` : seconds(Math.max(...r.recoveryMs)),
  ]);
  const all = rows.flatMap((r) => r.recoveryMs);
  body.push([
    'total (final check)',
    String(rows.reduce((n, r) => n + r.injected, 0)),
    String(final.checked),
    String(final.violations + rows.reduce((n, r) => n + r.violations, 0)),
    seconds(median(all)),
    seconds(all.length ? Math.max(...all) : NaN),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ')} |`;
  const rule = `| ${width.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}
